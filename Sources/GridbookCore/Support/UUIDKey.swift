import Foundation
import GRDB

/// A UUID as two integers: parsed from text without Foundation, cheap to hash by the million.
///
/// A visit's id is stored as the 16 bytes of ``storedBytes`` (an SQLite BLOB), not its 36
/// characters of text: at twenty million visits that is 800 MB less to write, to index and to
/// back up. The text form (``description``) is what every file, answer and page shows.
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
    ///
    /// Run for every row of a visit log, so the 32 digits are read eight at a time as one
    /// 64-bit word each, without a branch on which kind of digit each is (a random mix of `0-9`
    /// and `a-f` made that branch a coin toss: most of the time spent reading an import's rows).
    init?(bytes: UnsafeBufferPointer<UInt8>) {
        let dash = UInt8(ascii: "-")
        guard bytes.count == 36, let base = bytes.baseAddress,
              bytes[8] == dash, bytes[13] == dash, bytes[18] == dash, bytes[23] == dash else { return nil }
        let raw = UnsafeRawPointer(base)
        func load(_ offset: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        func load4(_ offset: Int) -> UInt64 { UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
        // The digits in four words of eight, in text order from the low byte up.
        guard let first = Self.hexWord(load(0)), let second = Self.hexWord(load4(9) | load4(14) << 32),
              let third = Self.hexWord(load4(19) | load4(24) << 32), let fourth = Self.hexWord(load(28))
        else { return nil }
        high = first << 32 | second
        low = third << 32 | fourth
    }

    /// The value of eight hexadecimal digits, the first in the low byte of `word`; nil when a
    /// byte is not one.
    private static func hexWord(_ word: UInt64) -> UInt64? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        guard word & highBits == 0 else { return nil }
        // For bytes below 0x80, the high bit of each byte of `atLeast(x, c)` is set when x >= c
        // (no carry crosses into the next byte).
        func atLeast(_ x: UInt64, _ c: UInt64) -> UInt64 { (x &+ (0x80 &- c) &* ones) & highBits }
        let isDigit = atLeast(word, 0x30) & ~atLeast(word, 0x3A)
        let lower = word | 0x20 &* ones
        let isLetter = atLeast(lower, 0x61) & ~atLeast(lower, 0x67)
        guard isDigit | isLetter == highBits else { return nil }
        // A digit's value is its low four bits, plus 9 for a letter (the only ones with bit 6).
        var value = (word & (0x0F &* ones)) &+ (word >> 6 & ones) &* 9
        // Eight values of four bits, first digit first: pairs into bytes, bytes into 16 bits,
        // then into 32.
        value = (value & 0x000F_000F_000F_000F) << 4 | (value >> 8 & 0x000F_000F_000F_000F)
        value = (value & 0x0000_00FF_0000_00FF) << 8 | (value >> 16 & 0x0000_00FF_0000_00FF)
        value = (value & 0x0000_FFFF) << 16 | (value >> 32 & 0x0000_FFFF)
        return value
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

    /// The 16 bytes a visit id is stored as: most significant first, so that stored ids sort as
    /// their text does.
    var storedBytes: Data {
        var bytes = Data(count: 16)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
        }
        return bytes
    }

    /// Appends the 16 stored bytes to `buffer`.
    func appendStoredBytes(to buffer: inout [UInt8]) {
        withUnsafeBytes(of: high.bigEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { buffer.append(contentsOf: $0) }
    }

    /// Reads the stored form; nil unless it is 16 bytes.
    init?(storedBytes bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 16 else { return nil }
        high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// The visit id stored in a column: its text form, from the 16 bytes (a stored id that is
    /// not 16 bytes is read as text as it is: none is written so).
    static func text(stored value: DatabaseValue) -> String? {
        switch value.storage {
        case .blob(let data): data.withUnsafeBytes { UUIDKey(storedBytes: $0) }?.description
        case .string(let text): text
        default: nil
        }
    }

    /// Adds `gridbook_uuid_bytes(text)` (the stored form of a UUID's text, NULL when it is not
    /// one) and `gridbook_uuid_text(blob)` (back to text) to a connection, for SQL that meets
    /// ids given as text: the change feed's record ids, an export, the migration that stored
    /// them as bytes.
    static func addFunctions(_ db: Database) {
        db.add(function: DatabaseFunction("gridbook_uuid_bytes", argumentCount: 1, pure: true) { values in
            guard let text = String.fromDatabaseValue(values[0]) else { return nil }
            return UUIDKey(text)?.storedBytes
        })
        db.add(function: DatabaseFunction("gridbook_uuid_text", argumentCount: 1, pure: true) { values in
            UUIDKey.text(stored: values[0])
        })
    }
}

extension UUIDKey: DatabaseValueConvertible {
    /// The stored form, a 16-byte BLOB.
    var databaseValue: DatabaseValue { storedBytes.databaseValue }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> UUIDKey? {
        guard case .blob(let data) = dbValue.storage else { return nil }
        return data.withUnsafeBytes { UUIDKey(storedBytes: $0) }
    }
}
