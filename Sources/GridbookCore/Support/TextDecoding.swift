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
    /// Why bytes that do decode were refused (the file is not Chinese text in any encoding
    /// tried, or mixes two), when that is the trouble; nil for a byte that does not decode.
    public let refusal: Refusal?

    /// Why a file whose bytes decode is refused.
    public enum Refusal: Equatable, Sendable {
        /// It decodes as GB18030, but not into Chinese text: `common` of `characters` are
        /// GB2312's (Big5, Shift-JIS and other encodings decode so, into nonsense).
        case notChinese(common: Int, characters: Int)
        /// The line holding the byte is UTF-8 Chinese text (`sample`), the file's other lines
        /// GB18030: two files joined, read as either they would be stored half garbled.
        case mixed(sample: String)
    }

    /// A decoding failure at `byteOffset` of a file read as `encoding`.
    public init(byteOffset: Int, encoding: String, tried: [String]? = nil, reason: String? = nil, refusal: Refusal? = nil) {
        self.byteOffset = byteOffset
        self.encoding = encoding
        self.tried = tried ?? [encoding]
        self.reason = reason
        self.refusal = refusal
    }
}

/// How the bytes of a file read as UTF-8: what auto-detection weighs to tell a UTF-8 file from a
/// GB18030 file, and a UTF-8 file with a damaged byte from a GB18030 file.
///
/// Chinese text in UTF-8 is made of three-byte sequences of common characters (GB2312's hanzi,
/// CJK and general punctuation, full-width forms). GB18030 text read as UTF-8 is mostly broken,
/// but some of its characters happen to form valid UTF-8 (协 is `D0 AD`, also U+042D), and then
/// they read as rare hanzi, Hangul beside hanzi, C1 control characters or scripts no county writes
/// (甯红波 is `E5 B8 BA EC B2 A8`, also 帺첨). So the measures are: the common Chinese sequences
/// against the runs of bytes that are not UTF-8 (one stray byte in UTF-8 text makes one run, two
/// when it splits a character), and the sequences no county's text holds.
struct UTF8Profile {
    /// The offset of the first byte that breaks UTF-8, or nil when all of it is valid UTF-8.
    var firstInvalid: Int?
    /// Well-formed three-byte sequences of common Chinese text: GB2312's hanzi, CJK and general
    /// punctuation, full-width forms.
    var chineseSequences = 0
    /// Every other well-formed multi-byte sequence (accented Latin, Greek, Cyrillic, rarer hanzi, emoji, …).
    var otherSequences = 0
    /// Of the other sequences, text that GB18030 bytes would make only by chance: letters of the
    /// scripts China's minorities write (Uyghur and Kazakh in Arabic script, Mongolian, Tibetan,
    /// Yi, Dai, Lisu, Korean words in Hangul), emoji and symbols.
    var scriptSequences = 0
    /// Of the other sequences, what no county's text holds: C1 control characters, private use,
    /// scripts no county writes (Armenian, Hebrew, Syriac, Indic, historic), CJK radicals, Hangul
    /// in one word with hanzi or other letters.
    var foreignSequences = 0
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
        Self.commonHanzi.withUnsafeBufferPointer { commonHanzi in
            // Counted in locals, stored once at the end: the loop runs over every byte of the file.
            var chinese = 0, other = 0, script = 0, foreign = 0, invalid = 0
            var adjacent = false
            var nextRelease = FileMapping.releaseEvery
            var index = 0
            let count = buffer.count
            var inInvalidRun = false
            var lastEnd = -1
            // The Hangul syllables of the current word (sequences side by side), and whether it
            // holds letters of another kind: a Korean word is Korean, 帺첨 is not.
            var wordHangul = 0
            var wordMixed = false
            while index < count {
                if index >= nextRelease, let release {
                    release(index)
                    nextRelease = index + FileMapping.releaseEvery
                }
                let byte = buffer[index]
                if byte < 0x80 {
                    index += 1
                    inInvalidRun = false
                    // Runs of ASCII (most of a visit log) are passed over eight bytes at a time,
                    // up to the next place where the pages read are given back (a visit log's
                    // ASCII runs out for megabytes, and its pages held on were resident memory).
                    let end = release == nil ? count : min(count, nextRelease)
                    while index &+ 8 <= end,
                          UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                        index &+= 8
                    }
                    continue
                }
                let (length, scalar) = Self.sequence(buffer, at: index)
                if length == 0 {
                    if firstInvalid == nil { firstInvalid = index }
                    if !inInvalidRun { invalid += 1 }
                    inInvalidRun = true
                    index += 1
                    continue
                }
                inInvalidRun = false
                if lastEnd == index || length == 4 { adjacent = true }
                if lastEnd != index {
                    if wordHangul > 0 {
                        if wordMixed { foreign += wordHangul } else { script += wordHangul }
                        wordHangul = 0
                    }
                    wordMixed = false
                }
                lastEnd = index + length
                index += length
                switch Self.kind(of: scalar, commonHanzi: commonHanzi) {
                case .hanzi:
                    chinese += 1
                    wordMixed = true
                case .punctuation:
                    chinese += 1
                case .hangul:
                    other += 1
                    wordHangul += 1
                case .script:
                    other += 1
                    script += 1
                    wordMixed = true
                case .foreign:
                    other += 1
                    foreign += 1
                    wordMixed = true
                case .other:
                    other += 1
                    wordMixed = true
                }
            }
            if wordMixed { foreign += wordHangul } else { script += wordHangul }
            chineseSequences = chinese
            otherSequences = other
            scriptSequences = script
            foreignSequences = foreign
            adjacentSequences = adjacent
            invalidRuns = invalid
        }
    }

    /// What a well-formed multi-byte sequence is in a county's text.
    enum Kind: Equatable {
        /// One of GB2312's 6,763 hanzi.
        case hanzi
        /// CJK and general punctuation, full-width forms: Chinese text, and beside any script.
        case punctuation
        /// A Hangul syllable: Korean, or foreign beside letters of another kind.
        case hangul
        /// See ``UTF8Profile/scriptSequences``.
        case script
        /// See ``UTF8Profile/foreignSequences``.
        case foreign
        /// Anything else: accented Latin, Greek, Cyrillic, rarer hanzi, kana, …
        case other
    }

    /// What the character `scalar` is, `commonHanzi` being ``commonHanzi``.
    @inline(__always)
    static func kind(of scalar: UInt32, commonHanzi: UnsafeBufferPointer<UInt64>) -> Kind {
        // Hanzi first: nearly every sequence of a Chinese file.
        if scalar &- 0x4E00 < 0x5200 {
            let offset = Int(scalar &- 0x4E00)
            return commonHanzi[offset &>> 6] & (1 &<< UInt64(offset & 63)) != 0 ? .hanzi : .other
        }
        switch scalar {
        case 0x3000...0x303F, 0xFF00...0xFFEF, 0x2000...0x206F: return .punctuation
        case 0xAC00...0xD7A3: return .hangul
        // Uyghur, Kazakh and Kyrgyz in Arabic script (letters and the punctuation they use).
        case 0x060C, 0x061B, 0x061F, 0x0621...0x064A, 0x0674...0x0675, 0x067E, 0x0686, 0x0698, 0x06AD, 0x06AF, 0x06BE,
             0x06C5...0x06C9, 0x06CB, 0x06D0, 0x06D5, 0xFB50...0xFDFF, 0xFE70...0xFEFF,
             // Tibetan, Mongolian, Dai (Tai Le, New Tai Lue, Tai Tham), Yi, Lisu.
             0x0F00...0x0FFF, 0x1800...0x18AF, 0x1950...0x19DF, 0x1A20...0x1AAF, 0xA000...0xA4FF,
             // Symbols and emoji, variation selectors, the replacement character.
             0x2100...0x27BF, 0x1F000...0x1FAFF, 0xFE00...0xFE0F, 0xE0000...0xE01EF, 0xFFFD:
            return .script
        // C1 controls, IPA, historic Cyrillic, Cyrillic supplement, Armenian, Hebrew, Syriac, Thaana,
        // NKo, Samaritan, Indic, Thai and Lao, Hangul jamo, Glagolitic to Ethiopic, CJK and Kangxi
        // radicals, compatibility jamo, Yijing hexagrams, Phags-pa to Meetei Mayek, jamo extension,
        // private use, specials, historic scripts, unassigned planes.
        case 0x0080...0x009F, 0x0250...0x02AF, 0x0460...0x048F, 0x0500...0x05FF, 0x0700...0x08FF, 0x0900...0x0EFF,
             0x1100...0x11FF, 0x2C00...0x2DFF, 0x2E80...0x2FFF, 0x3130...0x318F, 0x4DC0...0x4DFF, 0xA840...0xABFF,
             0xD7B0...0xD7FF, 0xE000...0xF8FF, 0xFFF0...0xFFFC, 0xFFFE...0xFFFF, 0x10000...0x1EFFF, 0x40000...0xDFFFF,
             0xF0000...0x10FFFF:
            return .foreign
        default:
            return .other
        }
    }

    /// GB2312's 6,763 hanzi, the common characters of simplified Chinese, one bit each from U+4E00
    /// to U+9FFF: read once from the C library's GB18030 table.
    static let commonHanzi: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: (0xA000 - 0x4E00) / 64)
        var codes: [UInt8] = []
        for lead in UInt8(0xB0)...0xF7 {
            // D7FA to D7FE are not GB2312's.
            for trail in UInt8(0xA1)...(lead == 0xD7 ? 0xF9 : 0xFE) { codes += [lead, trail] }
        }
        guard let scalars = try? TextDecoding.transcode(codes, from: "GB18030", to: "UTF-32LE") else { return bits }
        for start in stride(from: 0, to: scalars.count - 3, by: 4) {
            let scalar = Int(scalars[start]) | Int(scalars[start + 1]) << 8 | Int(scalars[start + 2]) << 16
            guard (0x4E00...0x9FFF).contains(scalar) else { continue }
            bits[(scalar - 0x4E00) >> 6] |= 1 << UInt64((scalar - 0x4E00) & 63)
        }
        return bits
    }()

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

    /// Valid UTF-8 that may nonetheless be GB18030: multi-byte sequences side by side (GB18030
    /// characters come in pairs of bytes; `小学` is `D0 A1 D1 A7`, two valid two-byte sequences),
    /// and either something no county's text holds (at least one for every sixteen sequences of
    /// common Chinese: a long Chinese text with a stray control character stays UTF-8 without a
    /// second look), or no common Chinese at all and something other than a minority's script.
    /// It is GB18030 when its GB18030 reading is plain Chinese.
    var mayBeGB18030: Bool {
        guard firstInvalid == nil, adjacentSequences else { return false }
        if foreignSequences > 0 && chineseSequences <= 16 * foreignSequences { return true }
        return chineseSequences == 0 && otherSequences > scriptSequences
    }

    /// More sequences of common Chinese than runs of bytes that are not UTF-8: a UTF-8 file with
    /// damaged bytes, whatever else the bytes might be (GB18030 text read as UTF-8 makes rarer
    /// hanzi and Hangul far more often than GB2312's: 甯红波宓光华王五 makes none of them).
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
/// (the 6,763 common hanzi, full-width punctuation and symbols) or GB18030's four-byte ones
/// (the minorities' scripts). Chinese text written as GB18030
/// is nearly all GB2312; UTF-8 read as GB18030 is mostly not (its continuation bytes make
/// second bytes below A1 and first bytes in GBK's extension rows).
struct GB18030Profile {
    /// Two-byte characters in GB2312's rows (first byte A1–A9 or B0–F7, second A1–FE), and
    /// four-byte characters.
    var common = 0
    /// Every other non-ASCII character.
    var other = 0
    /// The offset of the first character that is not GB2312's.
    var firstOther: Int?

    /// Reads the whole of `bytes` once, pairing them as GB18030 does.
    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { GB18030Profile($0) }
    }

    /// Reads the whole of `bytes` once, pairing them as GB18030 does.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 || index + 1 >= bytes.count {
                index += 1
                continue
            }
            let second = bytes[index + 1]
            if (0x30...0x39).contains(second) {
                // A four-byte sequence: Mongolian, Tibetan, Uyghur and rarer hanzi, which no other
                // encoding makes (their second and fourth bytes are digits): Chinese text of a
                // county that writes them.
                common += 1
                index += 4
                continue
            }
            let isCommon = ((0xA1...0xA9).contains(byte) || (0xB0...0xF7).contains(byte)) && (0xA1...0xFE).contains(second)
            if isCommon {
                common += 1
            } else {
                if firstOther == nil { firstOther = index }
                other += 1
            }
            index += 2
        }
    }

    /// Whether nine characters in ten (or more) are GB2312's.
    var isPlainChinese: Bool {
        common >= 9 * other
    }

    /// Whether three characters in four (or more) are GB2312's: Chinese text at all, rare names
    /// and all (Big5 decoded as GB18030 makes about one in two, Shift-JIS almost none).
    var isChineseText: Bool {
        common >= 3 * other
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
                if profile.mayBeGB18030, GB18030Profile(bytes).isPlainChinese, let text = try? transcode(bytes, from: "GB18030") {
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
            let gb18030 = GB18030Profile(bytes)
            if profile.mayBeDamagedUTF8 && !gb18030.isPlainChinese { throw damaged }
            if !gb18030.isChineseText {
                throw TextDecodingError(byteOffset: gb18030.firstOther ?? invalid, encoding: "GB18030", tried: ["UTF-8", "GB18030"],
                                        refusal: .notChinese(common: gb18030.common, characters: gb18030.common + gb18030.other))
            }
            if let (offset, sample) = firstUTF8Line(bytes) {
                throw TextDecodingError(byteOffset: offset, encoding: "GB18030", tried: ["UTF-8", "GB18030"], refusal: .mixed(sample: sample))
            }
            return (dropBOM(text), "GB18030")
        }
    }

    /// In a file read as GB18030, the first line that is UTF-8 Chinese text instead (valid UTF-8
    /// with at least two common Chinese characters and nothing no county writes, whose GB18030
    /// reading is not plain Chinese), as the offset of its first non-ASCII byte and its text from there.
    /// GB18030 bytes make valid UTF-8 only now and then, and then rare hanzi, Hangul or worse
    /// (甯红波 reads as 帺첨), never a line of common Chinese.
    static func firstUTF8Line(_ bytes: [UInt8]) -> (offset: Int, sample: String)? {
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let end = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) ?? buffer.count
                let line = UnsafeBufferPointer(rebasing: buffer[start..<end])
                if let first = line.firstIndex(where: { $0 >= 0x80 }) {
                    let utf8 = UTF8Profile(line)
                    if utf8.firstInvalid == nil, utf8.chineseSequences >= 2, utf8.foreignSequences == 0,
                       !GB18030Profile(line).isPlainChinese {
                        var text = String(decoding: UnsafeBufferPointer(rebasing: line[first...]), as: UTF8.self)
                        if text.hasSuffix("\r") { text.removeLast() }
                        return (start + first, String(text.prefix(24)))
                    }
                }
                start = end + 1
            }
            return nil
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
    package static func transcode(_ bytes: [UInt8], from encoding: String, to target: String = "UTF-8") throws(TextDecodingError) -> [UInt8] {
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
