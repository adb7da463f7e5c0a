import Foundation

/// Where an undecodable byte sits in a seed file, in the words a spreadsheet user can act on:
/// the line, the character within the line, and the CSV column.
struct TextPlace {
    /// The line (1-based) the byte is on.
    let line: Int
    /// The character (1-based) of the line the byte is at.
    let character: Int
    /// The record the byte is in (0 = the header).
    let record: Int
    /// The field (0-based) of that record.
    let field: Int
    /// The header's column names, lower case (empty when the header could not be read).
    let header: [String]
    /// The bad byte (`byte 0xFF`), or for UTF-16 the bad code unit (`code unit 0xDC00`).
    let what: String

    /// Finds the byte at `offset` of `data`, a file being read as `encoding`.
    init(in data: [UInt8], at offset: Int, encoding: String) {
        let offset = min(offset, max(0, data.count - 1))
        // What comes before the bad byte, as bytes in which a line end, a quote and a comma are
        // single ASCII bytes: the file itself for UTF-8 and GB18030 (whose second and fourth
        // bytes are never one of those), the text turned into UTF-8 for UTF-16.
        var scan: [UInt8]
        if encoding.hasPrefix("UTF-16") {
            let start = offset - offset % 2
            let unit = data[start..<min(data.count, start + 2)]
            let value = unit.count < 2 ? Int(unit.first ?? 0)
                : encoding == "UTF-16LE" ? Int(unit[start]) | Int(unit[start + 1]) << 8 : Int(unit[start]) << 8 | Int(unit[start + 1])
            what = "code unit 0x" + String(value, radix: 16, uppercase: true)
            scan = (try? TextDecoding.transcode(Array(data[..<start]), from: encoding)) ?? []
        } else {
            what = "byte 0x" + String(data.isEmpty ? 0 : data[offset], radix: 16, uppercase: true)
            scan = Array(data[..<offset])
        }
        // A byte-order mark is no character of the first line.
        for mark: [UInt8] in [[0xEF, 0xBB, 0xBF], [0x84, 0x31, 0x95, 0x33]] where scan.starts(with: mark) {
            scan.removeFirst(mark.count)
        }
        var line = 1, lineStart = 0
        var record = 0, field = 0, inQuotes = false
        for (index, byte) in scan.enumerated() {
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                lineStart = index + 1
                if !inQuotes { record += 1; field = 0 }
            case UInt8(ascii: "\""): inQuotes.toggle()
            case UInt8(ascii: ","): if !inQuotes { field += 1 }
            default: break
            }
        }
        self.line = line
        self.field = field
        self.record = record
        let prefix = Array(scan[lineStart...].filter { $0 != UInt8(ascii: "\r") })
        let decoded: [UInt8]? = encoding == "GB18030" ? try? TextDecoding.transcode(prefix, from: "GB18030") : prefix
        character = decoded.map { String(decoding: $0, as: UTF8.self).count + 1 } ?? prefix.count + 1
        // The header is the first line, when the bad byte comes after it.
        header = record == 0 ? [] : String(decoding: scan[..<(scan.firstIndex(of: UInt8(ascii: "\n")) ?? scan.count)], as: UTF8.self)
            .split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces.union(["\u{FEFF}", "\r", "\""])).lowercased() }
    }

    /// The column to report the byte under: its header name when the header names it, else `-`.
    func columnName(known: [String]) -> String {
        guard record > 0, field < header.count, known.contains(header[field]) else { return "-" }
        return header[field]
    }

    /// What is wrong and what to do about it.
    func describe(_ error: TextDecodingError) -> String {
        let what = "\(self.what) (character \(character) of the line)"
        let tried = "tried \(error.tried.joined(separator: ", "))"
        switch error.refusal {
        case .notChinese(let common, let characters)?:
            return "\(what) starts text that decodes as GB18030 but not into Chinese: \(common) of its \(characters) characters "
                + "are common Chinese (\(tried)); the file may be Big5, Shift-JIS or another encoding: save it again as UTF-8 "
                + "or GB18030 (or force --encoding gb18030 if it is GB18030)"
        case .mixed(let sample)?:
            return "\(what) starts UTF-8 text (\(sample)) in a file whose other lines are GB18030 (\(tried)): the file mixes "
                + "two encodings, and either reading would store part of it garbled; save it again as one (UTF-8 or GB18030)"
        case nil:
            break
        }
        switch (error.encoding, error.reason) {
        case ("GB18030", nil):
            return "\(what) is neither UTF-8 nor GB18030 text (\(tried)); save the file as UTF-8 or GB18030"
        case (let encoding, let reason?) where reason.hasPrefix("--encoding"):
            return "\(what) is not valid \(encoding) text (chosen with \(reason)); "
                + "save the file as \(encoding), or leave --encoding at auto to detect the encoding"
        case ("UTF-8", let reason?) where error.tried.count > 1:
            return "\(what) is not valid UTF-8 text, though \(reason) (\(tried)); correct that byte, or save the file again as UTF-8"
        case (let encoding, let reason):
            return "\(what) is not valid \(encoding) text\(reason.map { " (\($0))" } ?? ""); "
                + "correct that byte, or save the file again as \(encoding)"
        }
    }
}
