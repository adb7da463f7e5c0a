import Foundation
@testable import GridbookCore
import Testing

/// The import reads millions of rows through a few small functions written for speed (a word at a
/// time, no branches on the data): each is held here to the plain rule it stands for.
@Suite("The import's fast paths agree with the plain rules")
struct ImportFastPathTests {
    static let canonical = "0f8a3c2e-9b1d-4e7f-a6c5-d4b3e2f1a0b9"

    /// A UUID read the plain way: 8-4-4-4-12 hexadecimal digits, either case.
    static func plainUUID(_ bytes: [UInt8]) -> (UInt64, UInt64)? {
        guard bytes.count == 36 else { return nil }
        var words: [UInt64] = [0, 0]
        var digits = 0
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let value = Int(String(UnicodeScalar(byte)), radix: 16) else { return nil }
            words[digits / 16] = words[digits / 16] << 4 | UInt64(value)
            digits += 1
        }
        return (words[0], words[1])
    }

    static func key(_ bytes: [UInt8]) -> UUIDKey? {
        bytes.withUnsafeBufferPointer { UUIDKey(bytes: $0) }
    }

    @Test("a UUID is read as the plain rule reads it, whatever byte stands at any place")
    func uuidEveryByteEverywhere() {
        let text = Array(Self.canonical.utf8)
        var accepted = 0
        for index in 0..<36 {
            for byte in 0...255 {
                var bytes = text
                bytes[index] = UInt8(byte)
                let expected = Self.plainUUID(bytes)
                let key = Self.key(bytes)
                #expect(key.map { [$0.high, $0.low] } == expected.map { [$0.0, $0.1] }, "byte \(byte) at \(index)")
                if key != nil { accepted += 1 }
            }
        }
        // 32 digit places take 22 bytes each (0-9, a-f, A-F); the 4 dashes take only themselves.
        #expect(accepted == 32 * 22 + 4)
    }

    @Test("a UUID's value and its canonical text, in both cases, and the lengths refused")
    func uuidValues() throws {
        let key = try #require(UUIDKey(Self.canonical))
        #expect(key.high == 0x0f8a_3c2e_9b1d_4e7f)
        #expect(key.low == 0xa6c5_d4b3_e2f1_a0b9)
        #expect(key.description == Self.canonical)
        #expect(UUIDKey(Self.canonical.uppercased()) == key)
        #expect(UUIDKey("ffffffff-ffff-ffff-ffff-ffffffffffff")?.high == UInt64.max)
        #expect(UUIDKey("00000000-0000-0000-0000-000000000000")?.low == 0)
        for text in ["", String(Self.canonical.dropLast()), Self.canonical + "0", "0f8a3c2e9b1d4e7fa6c5d4b3e2f1a0b9",
                     "{0f8a3c2e-9b1d-4e7f-a6c5-d4b3e2f1a0b}", "0f8a3c2e-9b1d-4e7f-a6c5-d4b3e2f1a0b９"] {
            #expect(UUIDKey(text) == nil, "\(text)")
        }
    }

    @Test("the local date of an instant is Foundation's, in zones with daylight saving and changed offsets, in any order")
    func localDatesInAnyOrder() throws {
        // Moscow moved its standard offset in 2011 and 2014; Lord Howe's daylight saving time is
        // half an hour; Kathmandu is 5:45 ahead.
        for zone in ["Asia/Shanghai", "America/New_York", "Europe/Moscow", "Australia/Lord_Howe", "Asia/Kathmandu"] {
            let timeZone = try #require(TimeZone(identifier: zone))
            var gregorian = Calendar(identifier: .gregorian)
            gregorian.timeZone = timeZone
            var calendar = LocalCalendar(timeZone: timeZone)
            // A fixed sequence of instants from 1970 to 2037, out of order, with every hour of
            // the day: a linear congruential generator.
            var state: UInt64 = 2026
            for _ in 0..<20_000 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let seconds = Int(state >> 33) % 2_136_000_000
                let parts = gregorian.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
                let (year, month, day) = (try #require(parts.year), try #require(parts.month), try #require(parts.day))
                let expected = try #require(LocalDate(year: year, month: month, day: day))
                #expect(calendar.localDate(epochSeconds: seconds) == expected, "\(zone) at \(seconds)")
            }
        }
    }

    @Test("the file fingerprint tells apart files that differ in one byte anywhere, or by a swap of two words")
    func fingerprints() {
        let text = Array(String(repeating: "eee25da6-97f0-4239-9763-ad6ed9b7d436,150599001001001-0001,P000437\n", count: 40).utf8)
        func print(_ bytes: [UInt8]) -> String { bytes.withUnsafeBufferPointer { SeedFile.fingerprint($0) } }
        let original = print(text)
        #expect(original.hasPrefix("\(text.count):w"))
        #expect(print(text) == original)
        var seen: Set<String> = [original]
        for index in stride(from: 0, to: text.count, by: 7) {
            var changed = text
            changed[index] ^= 0x01
            seen.insert(print(changed))
        }
        #expect(seen.count == 1 + (text.count + 6) / 7)
        // Two eight-byte words swapped: the same bytes in another order.
        var swapped = text
        swapped.replaceSubrange(0..<8, with: text[8..<16])
        swapped.replaceSubrange(8..<16, with: text[0..<8])
        #expect(print(swapped) != original)
        #expect(print([]) == "0:wcbf29ce484222325")
    }

    @Test("the UTF-8 profile counts the same with long runs of ASCII around the Chinese text")
    func utf8ProfileAcrossRuns() {
        for padding in [0, 1, 7, 8, 9, 15, 16, 17, 63] {
            let ascii = String(repeating: "a", count: padding)
            let text = Array((ascii + "网格" + ascii + "é" + ascii + "😀" + ascii).utf8)
            let profile = UTF8Profile(text)
            #expect(profile.firstInvalid == nil)
            #expect(profile.chineseSequences == 2)
            #expect(profile.otherSequences == 2)
            #expect(profile.adjacentSequences)
            var broken = text
            broken[padding] = 0xFF
            #expect(UTF8Profile(broken).firstInvalid == padding, "padding \(padding)")
            let tail = Array((ascii + ascii + ascii).utf8) + [0xE7]
            #expect(UTF8Profile(tail).firstInvalid == 3 * padding, "padding \(padding)")
        }
    }
}
