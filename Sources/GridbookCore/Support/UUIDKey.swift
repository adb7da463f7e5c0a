/// A UUID as two integers: parsed from text without Foundation, cheap to hash by the million.
struct UUIDKey: Hashable, Sendable, CustomStringConvertible {
    let high: UInt64
    let low: UInt64

    /// Parses the canonical 8-4-4-4-12 hexadecimal form, either case.
    init?(_ text: String) {
        var text = text
        guard let key = text.withUTF8({ UUIDKey(bytes: $0) }) else { return nil }
        self = key
    }

    /// Parses the canonical 8-4-4-4-12 hexadecimal form, either case, from UTF-8 bytes.
    init?(bytes: UnsafeBufferPointer<UInt8>) {
        var high: UInt64 = 0, low: UInt64 = 0
        var nibbles = 0
        var index = 0
        for byte in bytes {
            defer { index += 1 }
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            if nibbles < 16 { high = high << 4 | UInt64(value) } else { low = low << 4 | UInt64(value) }
            nibbles += 1
        }
        guard index == 36, nibbles == 32 else { return nil }
        self.high = high
        self.low = low
    }

    /// The lowercase 8-4-4-4-12 form.
    var description: String {
        let hex = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        for (index, word) in [high, low].enumerated() {
            for nibble in 0..<16 {
                let position = index * 16 + nibble
                if position == 8 || position == 12 || position == 16 || position == 20 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(hex[Int((word >> UInt64(60 - 4 * nibble)) & 0xF)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
