#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text encodings a seed file may be written in (SPEC section 4).
public enum TextEncoding: String, Sendable, CaseIterable {
    /// Detect: UTF-8 (with or without BOM) when the bytes are valid UTF-8, UTF-16 with a BOM, else GB18030.
    case auto
    case utf8 = "utf-8"
    case gb18030

    /// Parses a user's spelling of an encoding (`utf8`, `UTF-8`, `gb18030`, `GBK`, `auto`).
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "") {
        case "auto": self = .auto
        case "utf8": self = .utf8
        case "gb18030", "gbk", "gb2312", "cp936": self = .gb18030
        default: return nil
        }
    }
}

/// Why a file's bytes could not be read as text.
public struct TextDecodingError: Error, Equatable, Sendable {
    /// The byte offset of the first byte that could not be decoded.
    public let byteOffset: Int
    /// The encoding that was tried.
    public let encoding: String
}

/// Turns the bytes of a seed file into UTF-8, whatever spreadsheet wrote them.
public enum TextDecoding {
    /// The file's text as UTF-8 bytes without a byte-order mark, and the encoding it was read as.
    public static func utf8Bytes(of bytes: [UInt8], encoding: TextEncoding = .auto) throws(TextDecodingError) -> (bytes: [UInt8], encoding: String) {
        switch encoding {
        case .utf8:
            let body = bytes.starts(with: utf8BOM) ? Array(bytes.dropFirst(3)) : bytes
            if let offset = firstInvalidUTF8Offset(body) {
                throw TextDecodingError(byteOffset: offset + (body.count == bytes.count ? 0 : 3), encoding: "UTF-8")
            }
            return (body, "UTF-8")
        case .gb18030:
            // GB18030's byte-order mark (84 31 95 33) becomes U+FEFF, dropped with UTF-8's.
            return (try dropBOM(transcode(bytes, from: "GB18030")), "GB18030")
        case .auto:
            guard let invalid = firstInvalidUTF8Offset(bytes), !bytes.starts(with: utf8BOM) else {
                return try utf8Bytes(of: bytes, encoding: .utf8)
            }
            // Chinese text in UTF-8 before the first bad byte: a UTF-8 file with a stray byte,
            // not a GB18030 file (reading it as GB18030 would store every name garbled).
            if bytes[..<invalid].contains(where: { $0 >= 0x80 }) {
                throw TextDecodingError(byteOffset: invalid, encoding: "UTF-8")
            }
            if bytes.starts(with: [0xFF, 0xFE]) {
                return (try dropBOM(transcode(Array(bytes), from: "UTF-16LE")), "UTF-16LE")
            }
            if bytes.starts(with: [0xFE, 0xFF]) {
                return (try dropBOM(transcode(Array(bytes), from: "UTF-16BE")), "UTF-16BE")
            }
            return try utf8Bytes(of: bytes, encoding: .gb18030)
        }
    }

    private static let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF]

    private static func dropBOM(_ bytes: [UInt8]) -> [UInt8] {
        bytes.starts(with: utf8BOM) ? Array(bytes.dropFirst(3)) : bytes
    }

    /// The offset of the first byte that breaks UTF-8, or nil when all of it is valid UTF-8.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let count = buffer.count
            while index < count {
                let byte = buffer[index]
                if byte < 0x80 {
                    index += 1
                    continue
                }
                let length: Int
                let minimum: UInt32
                var scalar: UInt32
                switch byte {
                case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(byte & 0x1F)
                case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(byte & 0x0F)
                case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(byte & 0x07)
                default: return index
                }
                guard index + length <= count else { return index }
                for next in 1..<length {
                    let continuation = buffer[index + next]
                    guard continuation & 0xC0 == 0x80 else { return index }
                    scalar = scalar << 6 | UInt32(continuation & 0x3F)
                }
                if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return index }
                index += length
            }
            return nil
        }
    }

    /// Converts bytes in `encoding` to UTF-8 with the C library's iconv.
    static func transcode(_ bytes: [UInt8], from encoding: String, to target: String = "UTF-8") throws(TextDecodingError) -> [UInt8] {
        let converter = iconv_open(target, encoding)
        if converter == iconv_t(bitPattern: -1) { throw TextDecodingError(byteOffset: 0, encoding: encoding) }
        defer { iconv_close(converter) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        var failedAt: Int?
        let written: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                guard let inBase = inBuffer.baseAddress, let outBase = outBuffer.baseAddress else { return 0 }
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBase).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBase).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                if iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) == -1 {
                    failedAt = inBuffer.count - inLeft
                }
                return outBuffer.count - outLeft
            }
        }
        if let failedAt { throw TextDecodingError(byteOffset: failedAt, encoding: encoding) }
        output.removeSubrange(written...)
        return output
    }
}
