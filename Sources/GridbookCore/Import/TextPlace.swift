import Foundation

/// Where an undecodable byte sits in a seed file, in the words a spreadsheet user can act on:
/// the line, the character within the line, and the CSV column.
struct TextPlace {
    /// The line (1-based) the byte is on.
    let line: Int
    /// The character (1-based) of the line the byte is at.
    let character: Int
    /// The record the byte is in (0 = the header), or nil when the file is UTF-16 (not scanned).
    let record: Int?
    /// The field (0-based) of that record.
    let field: Int
    /// The header's column names, lower case.
    let header: [String]
    /// The byte itself.
    let byte: UInt8

    /// Finds the byte at `offset` of `data`, a file being read as `encoding`.
    init(in data: [UInt8], at offset: Int, encoding: String) {
        let offset = min(offset, max(0, data.count - 1))
        byte = data.isEmpty ? 0 : data[offset]
        var line = 1, lineStart = 0
        var record = 0, field = 0, inQuotes = false
        // GB18030's second and fourth bytes are never a quote, comma or line end, so a byte scan
        // finds the fields of UTF-8 and GB18030 alike.
        for index in 0..<offset {
            switch data[index] {
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
        let isUTF16 = encoding.hasPrefix("UTF-16")
        self.record = isUTF16 ? nil : record
        let prefix = Array(data[lineStart..<offset].filter { $0 != UInt8(ascii: "\r") })
        let decoded: [UInt8]? = encoding == "GB18030" ? try? TextDecoding.transcode(prefix, from: "GB18030") : prefix
        character = decoded.map { String(decoding: $0, as: UTF8.self).count + 1 } ?? prefix.count + 1
        let headerEnd = data.firstIndex(of: UInt8(ascii: "\n")) ?? data.count
        header = isUTF16 ? [] : String(decoding: data[..<headerEnd], as: UTF8.self)
            .split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces.union(["\u{FEFF}", "\r", "\""])).lowercased() }
    }

    /// The column to report the byte under: its header name when the header names it, else `-`.
    func columnName(known: [String]) -> String {
        guard let record, record > 0, field < header.count, known.contains(header[field]) else { return "-" }
        return header[field]
    }

    /// What is wrong and what to do about it.
    func describe(_ error: TextDecodingError) -> String {
        let what = "byte 0x\(String(byte, radix: 16, uppercase: true)) (character \(character) of the line)"
        let tried = "tried \(error.tried.joined(separator: ", "))"
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
