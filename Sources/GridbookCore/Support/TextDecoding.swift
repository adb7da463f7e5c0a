#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text encodings a seed file may be written in (SPEC section 4).
public enum TextEncoding: String, Sendable, CaseIterable {
    /// Detect from the whole file: UTF-16 with a BOM, UTF-8 (with or without BOM), else GB18030 (see ``TextDecoding/utf8Bytes(of:encoding:)``).
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
    /// The encoding the file was taken to be when that byte broke it.
    public let encoding: String
    /// Every encoding that was tried, in order (one when the encoding was chosen).
    public let tried: [String]
    /// Why the file was taken to be `encoding`, when auto-detection decided it.
    public let reason: String?

    /// A decoding failure at `byteOffset` of a file read as `encoding`.
    public init(byteOffset: Int, encoding: String, tried: [String]? = nil, reason: String? = nil) {
        self.byteOffset = byteOffset
        self.encoding = encoding
        self.tried = tried ?? [encoding]
        self.reason = reason
    }
}

/// How the bytes of a file read as UTF-8: what auto-detection weighs to tell a UTF-8 file with a
/// damaged byte from a GB18030 file.
///
/// Chinese text in UTF-8 is made of three-byte sequences (U+3000 to U+9FFF, full-width forms,
/// general punctuation). GB18030 text read as UTF-8 is mostly broken, but some of its characters
/// happen to form valid UTF-8 (协 is `D0 AD`, also U+042D) and, rarely, a three-byte CJK sequence.
/// So the measure is: the well-formed Chinese UTF-8 sequences against the runs of bytes that are
/// not UTF-8. One stray byte in UTF-8 text makes one run (two when it splits a character).
struct UTF8Profile {
    /// The offset of the first byte that breaks UTF-8, or nil when all of it is valid UTF-8.
    var firstInvalid: Int?
    /// Well-formed three-byte sequences of Chinese text: CJK characters and punctuation, full-width forms.
    var chineseSequences = 0
    /// Every other well-formed multi-byte sequence (accented Latin, Greek, Cyrillic, emoji, …).
    var otherSequences = 0
    /// Whether two multi-byte sequences stand side by side somewhere (or one of four bytes, two
    /// GB18030 characters' worth): text in a script of its own, not an accent here and there.
    var adjacentSequences = false
    /// Maximal runs of bytes that are not part of any well-formed UTF-8 sequence.
    var invalidRuns = 0

    /// Reads the whole of `bytes` once.
    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { UTF8Profile($0) }
    }

    /// Reads the whole of `buffer` once, calling `release` with how far it has read every
    /// ``FileMapping/releaseEvery`` bytes (a mapped file gives those pages back).
    init(_ buffer: UnsafeBufferPointer<UInt8>, release: ((Int) -> Void)? = nil) {
        guard let base = buffer.baseAddress else { return }
        do {
            var nextRelease = FileMapping.releaseEvery
            var index = 0
            let count = buffer.count
            var inInvalidRun = false
            var lastEnd = -1
            while index < count {
                if index >= nextRelease, let release {
                    release(index)
                    nextRelease = index + FileMapping.releaseEvery
                }
                let byte = buffer[index]
                if byte < 0x80 {
                    index += 1
                    inInvalidRun = false
                    // Runs of ASCII (most of a visit log) are passed over eight bytes at a time.
                    while index &+ 8 <= count,
                          UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                        index &+= 8
                    }
                    continue
                }
                let (length, scalar) = Self.sequence(buffer, at: index)
                if length == 0 {
                    if firstInvalid == nil { firstInvalid = index }
                    if !inInvalidRun { invalidRuns += 1 }
                    inInvalidRun = true
                    index += 1
                    continue
                }
                inInvalidRun = false
                if length == 3 && Self.isChinese(scalar) {
                    chineseSequences += 1
                } else {
                    otherSequences += 1
                }
                if lastEnd == index || length == 4 { adjacentSequences = true }
                lastEnd = index + length
                index += length
            }
        }
    }

    private static func isChinese(_ scalar: UInt32) -> Bool {
        (0x3000...0x9FFF).contains(scalar) || (0xFF00...0xFFEF).contains(scalar) || (0x2000...0x206F).contains(scalar)
    }

    /// The length and scalar of the well-formed UTF-8 sequence starting at `index`; length 0 when there is none.
    static func sequence(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> (length: Int, scalar: UInt32) {
        let byte = buffer[index]
        let length: Int
        let minimum: UInt32
        var scalar: UInt32
        switch byte {
        case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(byte & 0x1F)
        case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(byte & 0x0F)
        case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(byte & 0x07)
        default: return (0, 0)
        }
        guard index + length <= buffer.count else { return (0, 0) }
        for next in 1..<length {
            let continuation = buffer[index + next]
            guard continuation & 0xC0 == 0x80 else { return (0, 0) }
            scalar = scalar << 6 | UInt32(continuation & 0x3F)
        }
        if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return (0, 0) }
        return (length, scalar)
    }

    /// Valid UTF-8 that may nonetheless be GB18030: no Chinese text in UTF-8, but multi-byte
    /// sequences side by side (`小学` in GB18030 is `D0 A1 D1 A7`, two valid two-byte UTF-8
    /// sequences). It is GB18030 when its GB18030 reading is plain Chinese.
    var mayBeGB18030: Bool {
        firstInvalid == nil && chineseSequences == 0 && otherSequences > 0 && adjacentSequences
    }

    /// More Chinese UTF-8 sequences than runs of bytes that are not UTF-8: a UTF-8 file with
    /// damaged bytes, whatever else the bytes might be.
    var isDamagedUTF8: Bool {
        firstInvalid != nil && chineseSequences > invalidRuns
    }

    /// At least half as many Chinese UTF-8 sequences as damaged places (a short text): a UTF-8
    /// file with damaged bytes unless its GB18030 reading is plain Chinese.
    var mayBeDamagedUTF8: Bool {
        firstInvalid != nil && chineseSequences > 0 && 2 * chineseSequences >= invalidRuns
    }
}

/// How the bytes of a file read as GB18030: the share of its characters that are GB2312's
/// (the 6,763 common hanzi, full-width punctuation and symbols). Chinese text written as GB18030
/// is nearly all GB2312; UTF-8 read as GB18030 is mostly not (its continuation bytes make
/// second bytes below A1 and first bytes in GBK's extension rows).
struct GB18030Profile {
    /// Two-byte characters in GB2312's rows (first byte A1–A9 or B0–F7, second A1–FE).
    var common = 0
    /// Every other non-ASCII character.
    var other = 0

    /// Reads the whole of `bytes` once, pairing them as GB18030 does.
    init(_ bytes: [UInt8]) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 || index + 1 >= bytes.count {
                index += 1
                continue
            }
            let second = bytes[index + 1]
            if (0x30...0x39).contains(second) {
                other += 1
                index += 4
                continue
            }
            let isCommon = ((0xA1...0xA9).contains(byte) || (0xB0...0xF7).contains(byte)) && (0xA1...0xFE).contains(second)
            if isCommon { common += 1 } else { other += 1 }
            index += 2
        }
    }

    /// Whether nine characters in ten (or more) are GB2312's.
    var isPlainChinese: Bool {
        common >= 9 * other
    }
}

/// Turns the bytes of a seed file into UTF-8, whatever spreadsheet wrote them.
public enum TextDecoding {
    /// The file's text as UTF-8 bytes without a byte-order mark, and the encoding it was read as.
    ///
    /// Auto-detection looks at the whole file: a UTF-16 byte-order mark → UTF-16; a UTF-8 one →
    /// UTF-8; valid UTF-8 → UTF-8 (unless ``UTF8Profile/mayBeGB18030`` and its GB18030 reading is plain Chinese);
    /// a damaged UTF-8 file (``UTF8Profile/isDamagedUTF8``, or ``UTF8Profile/mayBeDamagedUTF8``
    /// when its GB18030 reading is not plain Chinese) is refused at its first bad byte; else GB18030
    /// when the whole file decodes as GB18030; else refused at the first byte that is not GB18030.
    public static func utf8Bytes(of bytes: [UInt8], encoding: TextEncoding = .auto) throws(TextDecodingError) -> (bytes: [UInt8], encoding: String) {
        switch encoding {
        case .utf8:
            let body = bytes.starts(with: utf8BOM) ? Array(bytes.dropFirst(3)) : bytes
            if let offset = firstInvalidUTF8Offset(body) {
                throw TextDecodingError(byteOffset: offset + (body.count == bytes.count ? 0 : 3), encoding: "UTF-8",
                                        reason: "--encoding utf-8")
            }
            return (body, "UTF-8")
        case .gb18030:
            do {
                // GB18030's byte-order mark (84 31 95 33) becomes U+FEFF, dropped with UTF-8's.
                return (try dropBOM(transcode(bytes, from: "GB18030")), "GB18030")
            } catch {
                throw TextDecodingError(byteOffset: error.byteOffset, encoding: "GB18030", reason: "--encoding gb18030")
            }
        case .auto:
            if bytes.starts(with: [0xFF, 0xFE]) {
                return (try dropBOM(transcode(bytes, from: "UTF-16LE")), "UTF-16LE")
            }
            if bytes.starts(with: [0xFE, 0xFF]) {
                return (try dropBOM(transcode(bytes, from: "UTF-16BE")), "UTF-16BE")
            }
            if bytes.starts(with: utf8BOM) {
                if let offset = firstInvalidUTF8Offset(bytes) {
                    throw TextDecodingError(byteOffset: offset, encoding: "UTF-8", tried: ["UTF-8"],
                                            reason: "the file starts with a UTF-8 byte-order mark")
                }
                return (Array(bytes.dropFirst(3)), "UTF-8")
            }
            let profile = UTF8Profile(bytes)
            guard let invalid = profile.firstInvalid else {
                if profile.mayBeGB18030, let text = try? transcode(bytes, from: "GB18030"), GB18030Profile(bytes).isPlainChinese {
                    return (dropBOM(text), "GB18030")
                }
                return (bytes, "UTF-8")
            }
            let damaged = TextDecodingError(
                byteOffset: invalid, encoding: "UTF-8", tried: ["UTF-8", "GB18030"],
                reason: "the rest is UTF-8: \(profile.chineseSequences) Chinese characters in UTF-8 against "
                    + "\(profile.invalidRuns) damaged place\(profile.invalidRuns == 1 ? "" : "s")")
            // Reading a damaged UTF-8 file as GB18030 would store every name garbled.
            if profile.isDamagedUTF8 { throw damaged }
            let text: [UInt8]
            do {
                text = try transcode(bytes, from: "GB18030")
            } catch {
                if profile.mayBeDamagedUTF8 { throw damaged }
                throw TextDecodingError(byteOffset: error.byteOffset, encoding: "GB18030",
                                        tried: ["UTF-8", "UTF-16 (needs a byte-order mark)", "GB18030"], reason: nil)
            }
            if profile.mayBeDamagedUTF8 && !GB18030Profile(bytes).isPlainChinese { throw damaged }
            return (dropBOM(text), "GB18030")
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
            while index < buffer.count {
                if buffer[index] < 0x80 {
                    index += 1
                    continue
                }
                let length = UTF8Profile.sequence(buffer, at: index).length
                if length == 0 { return index }
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
