import Foundation
import ZIPFoundation

/// Writes a one-sheet .xlsx workbook, row by row: the sheet's XML goes to a temporary file as
/// rows come (a county's visits never sit in memory), and is zipped with the workbook's other
/// parts when the sheet is finished. Every cell is text (an inline string), so that phone and ID
/// numbers, codes and dates stay exactly as exported and import back as they were.
final class XLSXWriter {
    private let destination: URL
    private let sheetURL: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var row = 0

    /// Starts a workbook to be written at `destination` when ``finish()`` is called.
    init(destination: URL) throws {
        self.destination = destination
        sheetURL = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).sheet.partial")
        guard FileManager.default.createFile(atPath: sheetURL.path, contents: nil) else {
            throw GridbookError.invalid(field: "directory", problem: "cannot write a file in \(destination.deletingLastPathComponent().path) (missing, read-only, or full)")
        }
        handle = try FileHandle(forWritingTo: sheetURL)
        buffer.reserveCapacity(1 << 20)
        buffer.append(contentsOf: Array("""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
            """.utf8))
    }

    /// Adds the next row, its cells from column A.
    func append(_ cells: [String]) throws {
        row += 1
        buffer.append(contentsOf: Array("<row r=\"\(row)\">".utf8))
        for (index, cell) in cells.enumerated() where !cell.isEmpty {
            buffer.append(contentsOf: Array("<c r=\"\(Self.column(index))\(row)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">".utf8))
            Self.appendEscaped(cell, to: &buffer)
            buffer.append(contentsOf: Array("</t></is></c>".utf8))
        }
        buffer.append(contentsOf: Array("</row>".utf8))
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Finishes the sheet and writes the workbook at its destination; the temporary sheet goes.
    func finish() throws {
        buffer.append(contentsOf: Array("</sheetData></worksheet>".utf8))
        try flush()
        try handle.close()
        defer { try? FileManager.default.removeItem(at: sheetURL) }
        try? FileManager.default.removeItem(at: destination)
        let archive = try Archive(url: destination, accessMode: .create)
        for (path, text) in Self.parts {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        try archive.addEntry(with: "xl/worksheets/sheet1.xml", fileURL: sheetURL, compressionMethod: .deflate)
    }

    /// Discards what was written.
    func cancel() {
        try? handle.close()
        try? FileManager.default.removeItem(at: sheetURL)
    }

    /// The column letters of a 0-based index: A, …, Z, AA, ….
    static func column(_ index: Int) -> String {
        var index = index + 1
        var letters = ""
        while index > 0 {
            let remainder = (index - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + remainder))) + letters
            index = (index - 1) / 26
        }
        return letters
    }

    /// Text as XML character data that reads back exactly: markup characters escaped, and what XML
    /// would lose written as Office XML's `_xHHHH_` escapes (which ``XLSXSheet/unescaped(_:)``
    /// reads, as Excel and WPS do): a carriage return (a parser turns it into a line feed), the
    /// controls XML 1.0 cannot hold (all but tab and line feed), U+FFFE and U+FFFF, and the
    /// underscore of a literal `_x000D_` (`_x005F_x000D_`).
    static func appendEscaped(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "&"): buffer.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "<"): buffer.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): buffer.append(contentsOf: "&gt;".utf8)
                case 0x09, 0x0A: buffer.append(byte)
                case 0..<0x20: appendEscape(UInt16(byte), to: &buffer)
                case UInt8(ascii: "_") where XLSXSheet.escapedUnit(bytes, at: index) != nil: appendEscape(0x5F, to: &buffer)
                case 0xEF where index + 2 < bytes.count && bytes[index + 1] == 0xBF && bytes[index + 2] >= 0xBE:
                    appendEscape(bytes[index + 2] == 0xBE ? 0xFFFE : 0xFFFF, to: &buffer)
                    index += 2
                default: buffer.append(byte)
                }
                index += 1
            }
        }
    }

    /// `_xHHHH_`, upper-case hex as Excel writes it.
    private static func appendEscape(_ unit: UInt16, to buffer: inout [UInt8]) {
        let digits = Array("0123456789ABCDEF".utf8)
        buffer.append(contentsOf: "_x".utf8)
        for shift in stride(from: 12, through: 0, by: -4) { buffer.append(digits[Int(unit >> UInt16(shift) & 0xF)]) }
        buffer.append(UInt8(ascii: "_"))
    }

    /// The workbook's other parts: one sheet, no styles.
    private static let parts: [(String, String)] = {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        let package = "http://schemas.openxmlformats.org/package/2006"
        return [
            ("[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="\(package)/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
                <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
                </Types>
                """),
            ("_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="\(package)/relationships">\
                <Relationship Id="rId1" Type="\(relationships)/officeDocument" Target="xl/workbook.xml"/></Relationships>
                """),
            ("xl/workbook.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <workbook xmlns="\(main)" xmlns:r="\(relationships)"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>
                """),
            ("xl/_rels/workbook.xml.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="\(package)/relationships">\
                <Relationship Id="rId1" Type="\(relationships)/worksheet" Target="worksheets/sheet1.xml"/></Relationships>
                """),
        ]
    }()
}
