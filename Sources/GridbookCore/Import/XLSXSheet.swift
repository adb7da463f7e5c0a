import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// Why a workbook could not be read, in words a user can act on.
struct XLSXError: Error, Equatable, CustomStringConvertible {
    var description: String
}

/// The first worksheet of an .xlsx workbook, as rows of text the way a user typed them.
///
/// The workbook's parts are found the way Excel finds them (package relationships → workbook →
/// its first `<sheet>` → that sheet's relationship target), never by assuming `sheet1.xml`.
/// Every part is read with a streaming XML parser from a temporary copy of its bytes on disk, so
/// memory holds the shared strings, the cell styles and one row, never a whole sheet.
///
/// Cells come out as the user sees them: shared and inline strings as stored, booleans as
/// `TRUE`/`FALSE`, errors as their text (`#N/A`), numbers without Excel's binary noise
/// (`2.2999999999999998` → `2.3`, `42.0` → `42`) and numbers with a date style as
/// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS` or, under one day, `HH:MM:SS`. A formula reads as the
/// result the spreadsheet saved with it; a sheet with a formula that has none (written by a program
/// that does not compute formulas) is refused, naming the cell.
struct XLSXSheet: Sendable {
    /// One row: its 1-based row number in the sheet and its cells' text, one per column from A
    /// to the last non-empty column of that row (empty cells are "").
    struct Row: Equatable, Sendable {
        var number: Int
        var cells: [String]
    }

    private let url: URL
    /// The worksheet's path inside the zip.
    private let sheetPath: String
    private let sharedStrings: [String]
    /// Whether each cell style (`s`, an index into `<cellXfs>`) shows numbers as dates.
    private let dateStyles: [Bool]
    /// Whether the workbook counts its dates from 1904 (old Mac Excel) rather than 1900.
    let date1904: Bool

    /// Reads the workbook; throws XLSXError (a message a user understands: not a zip, no sheet, bad XML …).
    init(contentsOf url: URL) throws {
        let package = try Package(url)
        let workbookPath = try package.workbookPath()
        let workbook = try package.parse(workbookPath, with: WorkbookReader())
        guard workbook.isWorkbook else {
            throw XLSXError(description: "is a zip archive but not an Excel workbook (its main part is \(workbookPath))")
        }
        guard let sheet = workbook.firstSheet else {
            throw XLSXError(description: "the workbook has no sheet")
        }
        let relationships = try package.relationships(of: workbookPath)
        guard let target = relationships.first(where: { $0.id == sheet.relationship }) else {
            throw XLSXError(description: "the workbook's first sheet \"\(sheet.name)\" has no part in the file (relationship \(sheet.relationship) is missing)")
        }
        guard target.type.isEmpty || target.type.hasSuffix("/worksheet") else {
            throw XLSXError(description: "the workbook's first sheet \"\(sheet.name)\" is a chart or dialog, not a worksheet: move the data sheet to the front")
        }
        guard let sheetPath = package.path(of: target.target, from: workbookPath) else {
            throw XLSXError(description: "the workbook's first sheet \"\(sheet.name)\" is missing from the file (\(target.target))")
        }
        func part(_ typeSuffix: String, else conventional: String) -> String? {
            if let found = relationships.first(where: { $0.type.hasSuffix(typeSuffix) }) {
                return package.path(of: found.target, from: workbookPath)
            }
            return package.path(conventional)
        }
        var sharedStrings: [String] = []
        if let path = part("/sharedStrings", else: "xl/sharedStrings.xml") {
            sharedStrings = try package.parse(path, with: SharedStringsReader()).strings
        }
        var dateStyles: [Bool] = []
        if let path = part("/styles", else: "xl/styles.xml") {
            dateStyles = try package.parse(path, with: StylesReader()).dateStyles
        }
        self.url = url
        self.sheetPath = sheetPath
        self.sharedStrings = sharedStrings
        self.dateStyles = dateStyles
        self.date1904 = workbook.date1904
    }

    /// Calls `body` for each row that has at least one non-empty cell, in sheet order.
    ///
    /// The sheet is read as `body` goes: when this throws because the sheet is damaged, the rows
    /// `body` was already given are from that damaged sheet.
    func forEachRow(_ body: (Row) throws -> Void) throws {
        let package = try Package(url)
        try withoutActuallyEscaping(body) { body in
            let reader = SheetReader(sharedStrings: sharedStrings, dateStyles: dateStyles, date1904: date1904, body: body)
            _ = try package.parse(sheetPath, with: reader)
        }
    }
}

// MARK: - The zip package

extension XLSXSheet {
    /// A relationship from one part to another (`_rels/*.rels`).
    private struct Relationship {
        var id: String
        var type: String
        var target: String
    }

    /// The zip archive and the paths of its parts.
    private struct Package {
        /// Parts larger than this once unpacked are refused (a damaged or hostile file).
        static let maximumPartSize: UInt64 = 1 << 30

        let archive: Archive
        /// Each entry's path by its normalised form (`/` separators, lowercase): some writers differ in case.
        let paths: [String: String]

        init(_ url: URL) throws {
            let signature: Data
            do {
                let handle = try FileHandle(forReadingFrom: url)
                defer { try? handle.close() }
                signature = try handle.read(upToCount: 8) ?? Data()
            } catch {
                throw XLSXError(description: "cannot open the file (\(error.localizedDescription))")
            }
            // An OLE2 compound file: Excel 97–2003, or an .xlsx saved with a password (encrypted).
            if signature.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
                throw XLSXError(description: "is an old Excel 97-2003 workbook (.xls) or a workbook with a password, not an .xlsx: open it in Excel or WPS and save it as .xlsx without a password")
            }
            let notZip = XLSXError(description: "is not an .xlsx workbook (not a zip archive): save it from Excel or WPS as \"Excel Workbook (.xlsx)\"")
            guard signature.starts(with: [0x50, 0x4B]) else { throw notZip }
            do {
                archive = try Archive(url: url, accessMode: .read)
            } catch {
                throw notZip
            }
            var paths: [String: String] = [:]
            for entry in self.archive where entry.type == .file {
                paths[Self.normalised(entry.path), default: entry.path] = entry.path
            }
            self.paths = paths
        }

        private static func normalised(_ path: String) -> String {
            path.replacingOccurrences(of: "\\", with: "/").lowercased()
        }

        /// The stored path of a part, or nil when the zip has no such part.
        func path(_ path: String) -> String? {
            paths[Self.normalised(path)]
        }

        /// The part a relationship `target` names, relative to the part `source` (or absolute from the root).
        func path(of target: String, from source: String) -> String? {
            let target = (target.removingPercentEncoding ?? target).replacingOccurrences(of: "\\", with: "/")
            // A part's stored path may use backslashes (old exporters write `xl\workbook.xml`).
            let source = source.replacingOccurrences(of: "\\", with: "/")
            var segments: [Substring] = target.hasPrefix("/") ? [] : Array(source.split(separator: "/").dropLast())
            for segment in target.split(separator: "/") {
                switch segment {
                case ".": continue
                case "..": _ = segments.popLast()
                default: segments.append(segment)
                }
            }
            return path(segments.joined(separator: "/"))
        }

        /// The workbook part: the package's officeDocument relationship, or `xl/workbook.xml`.
        func workbookPath() throws -> String {
            if path("_rels/.rels") != nil,
               let main = try relationships(of: "").first(where: { $0.type.hasSuffix("/officeDocument") }),
               let found = path(of: main.target, from: "") {
                return found
            }
            guard let conventional = path("xl/workbook.xml") else {
                throw XLSXError(description: "is a zip archive but not an Excel workbook (it has no xl/workbook.xml)")
            }
            return conventional
        }

        /// The relationships of the part at `source` (`""` for the package's own); none when it has no `.rels` part.
        func relationships(of source: String) throws -> [Relationship] {
            var folder = source.replacingOccurrences(of: "\\", with: "/").split(separator: "/", omittingEmptySubsequences: false)
            let name = folder.popLast() ?? ""
            let relsPath = (folder + ["_rels", "\(name).rels"]).joined(separator: "/")
            guard let found = path(relsPath) else { return [] }
            return try parse(found, with: RelationshipsReader()).relationships
        }

        /// Streams the part at `path` (as stored) through `reader` and returns it.
        ///
        /// The part is unpacked to a temporary file first, because `XMLParser` streams from a file
        /// but cannot be fed the unpacked chunks as they come.
        func parse<Reader: XMLPartReader>(_ path: String, with reader: Reader) throws -> Reader {
            guard let entry = archive[path] else {
                throw XLSXError(description: "the workbook has no part \(path)")
            }
            guard entry.uncompressedSize <= Self.maximumPartSize else {
                throw XLSXError(description: "\(path) is larger than 1 GiB unpacked: split the workbook")
            }
            let file = FileManager.default.temporaryDirectory
                .appendingPathComponent("gridbook-xlsx-\(UUID().uuidString).xml")
            guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw XLSXError(description: "cannot write a temporary file in \(file.deletingLastPathComponent().path)")
            }
            defer { try? FileManager.default.removeItem(at: file) }
            do {
                let handle = try FileHandle(forWritingTo: file)
                defer { try? handle.close() }
                var written: UInt64 = 0
                _ = try archive.extract(entry) { chunk in
                    written += UInt64(chunk.count)
                    guard written <= Self.maximumPartSize else {
                        throw XLSXError(description: "\(path) is larger than 1 GiB unpacked: split the workbook")
                    }
                    try handle.write(contentsOf: chunk)
                }
            } catch let error as XLSXError {
                throw error
            } catch Archive.ArchiveError.invalidCRC32 {
                throw XLSXError(description: "the workbook is damaged (\(path) fails its checksum)")
            } catch {
                throw XLSXError(description: "cannot unpack \(path) from the workbook (the file is damaged or not from a spreadsheet program: \(error))")
            }
            guard let stream = InputStream(url: file) else {
                throw XLSXError(description: "cannot read back the temporary file \(file.path)")
            }
            let parser = XMLParser(stream: stream)
            parser.delegate = reader
            let parsed = parser.parse()
            if let failure = reader.failure { throw failure }
            guard parsed, reader.sawRoot else {
                let line = reader.errorLine ?? parser.lineNumber
                throw XLSXError(description: "\(path) in the workbook is not well-formed XML (near line \(line)): the file is damaged")
            }
            return reader
        }
    }
}

// MARK: - Part readers

extension XLSXSheet {
    /// A streaming reader of one XML part: subclasses see element local names (prefixes dropped,
    /// as some writers put every element in a prefixed namespace) and the text inside them.
    private class XMLPartReader: NSObject, XMLParserDelegate {
        /// The first error a subclass threw; the parse stops there.
        var failure: (any Error)?
        /// Whether the part had a root element at all.
        var sawRoot = false
        /// The line of the first XML error or warning.
        var errorLine: Int?

        func start(_ name: Substring, _ attributes: [String: String]) throws {}
        func end(_ name: Substring) throws {}
        func text(_ string: String) {}

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String]) {
            guard failure == nil else { return }
            sawRoot = true
            do { try start(Self.localName(elementName), attributeDict) } catch {
                failure = error
                parser.abortParsing()
            }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard failure == nil else { return }
            do { try end(Self.localName(elementName)) } catch {
                failure = error
                parser.abortParsing()
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if failure == nil { text(string) }
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            if failure == nil { text(String(decoding: CDATABlock, as: UTF8.self)) }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            // Warnings come here too and do not fail the parse, so only the place is kept.
            if errorLine == nil { errorLine = parser.lineNumber }
        }

        private static func localName(_ name: String) -> Substring {
            guard let colon = name.lastIndex(of: ":") else { return name[...] }
            return name[name.index(after: colon)...]
        }

        /// The value of an attribute in a prefixed namespace (`r:id`), whatever the prefix.
        static func prefixedAttribute(_ name: String, in attributes: [String: String]) -> String? {
            attributes.first { key, _ in key.hasSuffix(":" + name) && !key.hasPrefix("xmlns") }?.value
        }
    }

    /// `_rels/*.rels`: the `<Relationship Id Type Target>` entries, external ones left out.
    private final class RelationshipsReader: XMLPartReader {
        var relationships: [Relationship] = []

        override func start(_ name: Substring, _ attributes: [String: String]) throws {
            guard name == "Relationship", attributes["TargetMode"] != "External",
                  let id = attributes["Id"], let target = attributes["Target"] else { return }
            relationships.append(Relationship(id: id, type: attributes["Type"] ?? "", target: target))
        }
    }

    /// `xl/workbook.xml`: the date system and the first `<sheet>` the user sees: a hidden sheet
    /// before it (the lists behind a column's drop-down, 下拉选项, are often kept so) is passed
    /// over, unless every sheet is hidden.
    private final class WorkbookReader: XMLPartReader {
        var isWorkbook = false
        var date1904 = false
        var firstSheet: (name: String, relationship: String)? { firstVisible ?? firstHidden }
        private var firstVisible: (name: String, relationship: String)?
        private var firstHidden: (name: String, relationship: String)?
        private var depth = 0

        override func start(_ name: Substring, _ attributes: [String: String]) throws {
            depth += 1
            if depth == 1 { isWorkbook = name == "workbook" }
            switch name {
            case "workbookPr":
                let value = attributes["date1904"]?.lowercased()
                date1904 = value == "1" || value == "true"
            case "sheet" where firstVisible == nil:
                let name = attributes["name"] ?? "?"
                let hidden = attributes["state"] == "hidden" || attributes["state"] == "veryHidden"
                if hidden && firstHidden != nil { return }
                guard let id = Self.prefixedAttribute("id", in: attributes) else {
                    throw XLSXError(description: "the workbook's first sheet \"\(name)\" has no part in the file (no r:id)")
                }
                if hidden { firstHidden = (name, id) } else { firstVisible = (name, id) }
            default:
                break
            }
        }

        override func end(_ name: Substring) throws { depth -= 1 }
    }

    /// `xl/sharedStrings.xml`: each `<si>`'s text, rich-text runs joined, phonetic runs (`<rPh>`) left out.
    private final class SharedStringsReader: XMLPartReader {
        var strings: [String] = []
        private var current = ""
        private var inItem = false
        private var inText = false
        private var phoneticDepth = 0

        override func start(_ name: Substring, _ attributes: [String: String]) throws {
            switch name {
            case "si":
                inItem = true
                current = ""
            case "rPh": phoneticDepth += 1
            case "t": inText = inItem && phoneticDepth == 0
            default: break
            }
        }

        override func end(_ name: Substring) throws {
            switch name {
            case "si":
                strings.append(XLSXSheet.unescaped(current))
                inItem = false
            case "rPh": phoneticDepth -= 1
            case "t": inText = false
            default: break
            }
        }

        override func text(_ string: String) {
            if inText { current += string }
        }
    }

    /// `xl/styles.xml`: which cell styles (`<cellXfs><xf numFmtId>`) show numbers as dates.
    private final class StylesReader: XMLPartReader {
        private var customFormats: [Int: String] = [:]
        private var cellFormats: [Int] = []
        private var inNumFmts = false
        private var inCellXfs = false

        var dateStyles: [Bool] {
            cellFormats.map { id in
                if let code = customFormats[id] { return XLSXSheet.isDateFormat(code) }
                return XLSXSheet.builtInDateFormats.contains(id)
            }
        }

        override func start(_ name: Substring, _ attributes: [String: String]) throws {
            switch name {
            case "numFmts": inNumFmts = true
            case "numFmt" where inNumFmts:
                if let id = attributes["numFmtId"].flatMap({ Int($0) }), let code = attributes["formatCode"] {
                    customFormats[id] = code
                }
            case "cellXfs": inCellXfs = true
            case "xf" where inCellXfs: cellFormats.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
            default: break
            }
        }

        override func end(_ name: Substring) throws {
            switch name {
            case "numFmts": inNumFmts = false
            case "cellXfs": inCellXfs = false
            default: break
            }
        }
    }

    /// A worksheet: gathers each `<row>`'s cells and hands the row to `body` at `</row>`.
    private final class SheetReader: XMLPartReader {
        private let sharedStrings: [String]
        private let dateStyles: [Bool]
        private let date1904: Bool
        private let body: (Row) throws -> Void

        private var inSheetData = false
        private var rowNumber = 0
        private var cells: [String] = []
        /// The 0-based column of the current cell (or of the last one, between cells).
        private var column = -1
        private var cellType = ""
        private var cellStyle = 0
        private var value = ""
        private var inlineText = ""
        private var inValue = false
        private var inInline = false
        private var inInlineText = false
        private var phoneticDepth = 0
        /// Whether the current cell holds a formula (`<f>`) and a stored value (`<v>`).
        private var hasFormula = false
        private var hasValue = false
        /// The first row's cells: the header, to name a column in a problem.
        private var header: [String]?
        /// The cells holding a formula with no saved result, in sheet order.
        private var formulasWithoutResult = BadCells()
        /// The cells holding a spreadsheet error (`t="e"`: `#N/A`, `#REF!`, …), each with its error.
        private var errorCells = BadCells()

        init(sharedStrings: [String], dateStyles: [Bool], date1904: Bool, body: @escaping (Row) throws -> Void) {
            self.sharedStrings = sharedStrings
            self.dateStyles = dateStyles
            self.date1904 = date1904
            self.body = body
        }

        override func start(_ name: Substring, _ attributes: [String: String]) throws {
            switch name {
            case "sheetData": inSheetData = true
            case "row" where inSheetData:
                if let r = attributes["r"] {
                    guard let number = Int(r), number > 0 else {
                        throw XLSXError(description: "row \(rowNumber + 1) of the sheet has a bad row number \"\(r)\"")
                    }
                    rowNumber = number
                } else {
                    rowNumber += 1
                }
                cells.removeAll(keepingCapacity: true)
                column = -1
            case "c" where inSheetData:
                if let reference = attributes["r"] {
                    guard let index = XLSXSheet.columnIndex(of: reference) else {
                        throw XLSXError(description: "row \(rowNumber) of the sheet has a bad cell reference \"\(reference)\"")
                    }
                    column = index
                } else {
                    column += 1
                }
                cellType = attributes["t"] ?? "n"
                cellStyle = attributes["s"].flatMap { Int($0) } ?? 0
                value = ""
                inlineText = ""
                hasFormula = false
                hasValue = false
            case "f": hasFormula = true
            case "v":
                inValue = true
                hasValue = true
            case "is": inInline = true
            case "rPh": phoneticDepth += 1
            case "t": inInlineText = inInline && phoneticDepth == 0
            default: break
            }
        }

        override func end(_ name: Substring) throws {
            switch name {
            case "sheetData":
                inSheetData = false
                if let problem = problem(formulasWithoutResult, advice: "open the file in Excel or WPS and save it, or paste the values", holds: { _ in
                    "a formula with no saved result (written by a program, not a spreadsheet)"
                }) { throw problem }
                if let problem = problem(errorCells, advice: "correct the formula behind it, or type the value", holds: { error in
                    "the spreadsheet error \(error.isEmpty ? "(no text)" : error), not a value"
                }) { throw problem }
            case "row" where inSheetData:
                // Only cells with text were placed, so the row already ends at its last non-empty cell.
                guard !cells.isEmpty else { return }
                if header == nil { header = cells }
                try body(Row(number: rowNumber, cells: cells))
            case "c" where inSheetData:
                // A program that writes formulas without computing them (openpyxl, many exporters)
                // leaves no result: reading the cell as empty would import a value nobody saw. A
                // formula whose result is empty text is stored as `t="str"` with an empty `<v>`.
                if hasFormula && (!hasValue || (value.isEmpty && cellType != "str")) {
                    formulasWithoutResult.add(row: rowNumber, column: column)
                    return
                }
                // An error such as #N/A (a lookup that found nothing) stands where a value should
                // be: what the user meant is not known, so it is refused, never stored as text.
                if cellType == "e" {
                    errorCells.add(row: rowNumber, column: column, note: value.trimmingCharacters(in: .whitespaces))
                    return
                }
                let text = try cellText()
                guard !text.isEmpty else { return }
                if cells.count <= column { cells += Array(repeating: "", count: column + 1 - cells.count) }
                cells[column] = text
            case "v": inValue = false
            case "is": inInline = false
            case "rPh": phoneticDepth -= 1
            case "t": inInlineText = false
            default: break
            }
        }

        override func text(_ string: String) {
            if inValue { value += string } else if inInlineText { inlineText += string }
        }

        /// Cells of one kind of trouble, as one problem naming the first (its row, cell and column
        /// header, and what it `holds`, given its note) and the next few; nil when there are none.
        private func problem(_ bad: BadCells, advice: String, holds: (String) -> String) -> XLSXError? {
            guard let first = bad.cells.first else { return nil }
            func reference(_ cell: BadCells.Cell) -> String { "\(XLSXSheet.columnName(cell.column))\(cell.row)" }
            var place = "row \(first.row), cell \(reference(first))"
            if let header, header.indices.contains(first.column), !header[first.column].isEmpty {
                place += " (\(header[first.column].trimmingCharacters(in: .whitespaces)))"
            }
            var problem = "\(place) holds \(holds(first.note))"
            if bad.count > 1 {
                let more = bad.cells.dropFirst().map { reference($0) + ($0.note.isEmpty ? "" : " \($0.note)") }.joined(separator: ", ")
                let count = bad.count == 2 ? "does 1 more cell" : "do \(bad.count - 1) more cells"
                problem += ", and so \(count) (\(more)\(bad.count > BadCells.kept ? ", …" : ""))"
            }
            return XLSXError(description: problem + ": " + advice)
        }

        /// The current cell's text as the user sees it.
        private func cellText() throws -> String {
            switch cellType {
            case "s":
                guard !value.isEmpty else { return "" }
                guard let index = Int(value.trimmingCharacters(in: .whitespaces)), sharedStrings.indices.contains(index) else {
                    throw XLSXError(description: "cell \(XLSXSheet.columnName(column))\(rowNumber) refers to shared text \"\(value)\", which the workbook does not have (the file is damaged)")
                }
                return sharedStrings[index]
            case "inlineStr": return XLSXSheet.unescaped(inlineText.isEmpty ? value : inlineText)
            case "str": return XLSXSheet.unescaped(value)
            case "b":
                switch value.trimmingCharacters(in: .whitespaces) {
                case "1": return "TRUE"
                case "0": return "FALSE"
                default: return value
                }
            case "n":
                let stored = value.trimmingCharacters(in: .whitespaces)
                guard !stored.isEmpty else { return "" }
                if dateStyles.indices.contains(cellStyle), dateStyles[cellStyle],
                   let serial = Double(stored), let date = XLSXSheet.dateText(serial: serial, date1904: date1904) {
                    return date
                }
                return XLSXSheet.typedNumber(stored)
            default: // "d" (an ISO 8601 date), and any other type: the text as stored ("e" is refused above).
                return value
            }
        }
    }
}

// MARK: - Cell values

extension XLSXSheet {
    /// Built-in number formats that show dates or times: 14–22 (dates, times), 27–36 and 50–58
    /// (East Asian dates), 45 and 47 (`mm:ss`, `mmss.0`). 46 (`[h]:mm:ss`) is a duration, not a date.
    static let builtInDateFormats: Set<Int> = Set(14...22).union(27...36).union([45, 47]).union(50...58)

    /// Whether a custom number format shows dates: a `d`, `m` or `y` outside quotes, brackets and
    /// escapes, unless it only shows elapsed time (`[h]:mm`, `[mm]:ss`).
    static func isDateFormat(_ code: String) -> Bool {
        var sawDayOrYear = false, sawMonthOrMinute = false, sawElapsed = false
        var characters = code.makeIterator()
        while let character = characters.next() {
            switch character {
            case "\"":
                while let quoted = characters.next(), quoted != "\"" {}
            case "\\", "_", "*":
                _ = characters.next()
            case "[":
                var inside = ""
                while let bracketed = characters.next(), bracketed != "]" { inside.append(bracketed) }
                let letters = Set(inside.lowercased())
                if letters.count == 1, let letter = letters.first, "hms".contains(letter) { sawElapsed = true }
            case "d", "D", "y", "Y": sawDayOrYear = true
            case "m", "M": sawMonthOrMinute = true
            default: break
            }
        }
        if sawElapsed && !sawDayOrYear { return false }
        return sawDayOrYear || sawMonthOrMinute
    }

    /// A date serial as `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS` (rounded to the second) or, under one
    /// day, `HH:MM:SS`; nil outside the dates Excel shows (negative, or after 9999-12-31).
    ///
    /// In the 1900 system serial 1 is 1900-01-01 and serial 60 is Excel's fictitious 1900-02-29,
    /// so from 61 on a serial is one day less than a plain count; in the 1904 system serial 0 is 1904-01-01.
    static func dateText(serial: Double, date1904: Bool) -> String? {
        guard serial >= 0, serial < (date1904 ? 2_957_004 : 2_958_466) else { return nil }
        let totalSeconds = Int((serial * 86_400).rounded())
        let days = totalSeconds / 86_400, seconds = totalSeconds % 86_400
        let time = "\(twoDigits(seconds / 3600)):\(twoDigits(seconds / 60 % 60)):\(twoDigits(seconds % 60))"
        if days == 0 && seconds > 0 { return time }
        let date: String
        if !date1904 && days == 60 {
            date = "1900-02-29"
        } else {
            // Days from 1970-01-01: serial 25569 is 1970-01-01 in the 1900 system, 24107 in the 1904 system.
            let offset = date1904 ? 24_107 : (days < 60 ? 25_568 : 25_569)
            date = LocalDate(dayNumber: days - offset).description
        }
        return seconds == 0 ? date : date + "T" + time
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// A stored number as a user typed it: `42.0` → `42`, and a decimal with more than the 15
    /// significant digits Excel keeps (`2.2999999999999998`, binary noise some writers store) rounded
    /// to 15. Exponent forms (`1.10105199001011E+17`), whole numbers and anything else stay as stored.
    static func typedNumber(_ stored: String) -> String {
        var text = Substring(stored)
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 1, case let whole = parts[0].drop(while: { $0 == "0" }), whole.count > 15, whole.utf8.allSatisfy(isDigit) {
            // A whole number past the 15 digits a spreadsheet keeps (a 17-digit code typed into a
            // number cell): its last digits are already lost. It reads as the spreadsheet shows
            // it, 1.50599001001001E+16, which the importer refuses as a number that lost its digits.
            let mantissa = whole.prefix(15).dropFirst()
            let kept = mantissa.reversed().drop(while: { $0 == "0" }).reversed()
            return (negative ? "-" : "") + String(whole.first ?? "0") + (kept.isEmpty ? "" : "." + String(kept)) + "E+\(whole.count - 1)"
        }
        guard parts.count == 2, !parts[0].isEmpty, parts.allSatisfy({ $0.utf8.allSatisfy(isDigit) }) else { return stored }
        let whole = parts[0]
        var digits = Array((whole + parts[1]).utf8)
        var pointAt = whole.count
        if let firstSignificant = digits.firstIndex(where: { $0 != UInt8(ascii: "0") }), digits.count - firstSignificant > 15 {
            let keep = firstSignificant + 15
            let roundsUp = digits[keep] >= UInt8(ascii: "5")
            digits.removeSubrange(keep...)
            if roundsUp {
                var index = keep - 1
                while index >= 0 && digits[index] == UInt8(ascii: "9") {
                    digits[index] = UInt8(ascii: "0")
                    index -= 1
                }
                if index >= 0 { digits[index] += 1 } else { digits.insert(UInt8(ascii: "1"), at: 0); pointAt += 1 }
            }
            if digits.count < pointAt { digits += Array(repeating: UInt8(ascii: "0"), count: pointAt - digits.count) }
        }
        var integer = digits[..<pointAt].drop { $0 == UInt8(ascii: "0") }
        if integer.isEmpty { integer = [UInt8(ascii: "0")][...] }
        var fraction = digits[pointAt...]
        while fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        var result = String(decoding: integer, as: UTF8.self)
        if !fraction.isEmpty { result += "." + String(decoding: fraction, as: UTF8.self) }
        return negative && result != "0" ? "-" + result : result
    }

    /// Text with the `_xHHHH_` escapes of Office XML decoded (`_x000D_` is a carriage return, which
    /// XML itself cannot keep; `_x005F_` escapes the underscore of a literal `_x000D_`), four hex
    /// digits each: ``XLSXWriter`` writes what this reads.
    static func unescaped(_ text: String) -> String {
        guard text.contains("_x") else { return text }
        let units = Array(text.utf16)
        var result: [UInt16] = []
        result.reserveCapacity(units.count)
        var index = 0
        while index < units.count {
            if let code = escapedUnit(units, at: index) {
                result.append(code)
                index += 7
            } else {
                result.append(units[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF16.self)
    }

    /// The code unit of the `_xHHHH_` escape starting at `index` of `units` (UTF-16 code units
    /// read, or UTF-8 bytes to be written: ``XLSXWriter`` escapes what would read as one), or nil
    /// when there is none there.
    static func escapedUnit<Units: RandomAccessCollection>(_ units: Units, at index: Int) -> UInt16?
    where Units.Element: BinaryInteger, Units.Index == Int {
        guard index + 6 < units.endIndex, units[index] == 0x5F, units[index + 1] == 0x78, units[index + 6] == 0x5F else { return nil }
        var code: UInt16 = 0
        for unit in units[(index + 2)..<(index + 6)] {
            switch unit {
            case 0x30...0x39: code = code << 4 | UInt16(unit - 0x30)
            case 0x41...0x46: code = code << 4 | UInt16(unit - 0x41 + 10)
            case 0x61...0x66: code = code << 4 | UInt16(unit - 0x61 + 10)
            default: return nil
            }
        }
        return code
    }

    /// The 0-based column of a cell reference (`B3` → 1), or nil when it is not one (or past XFD).
    static func columnIndex(of reference: String) -> Int? {
        let bytes = Array(reference.utf8.filter { $0 != UInt8(ascii: "$") })
        var column = 0
        var letters = 0
        while letters < bytes.count, letters < 4 {
            let byte = bytes[letters] & ~0x20 // upper case
            guard byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") else { break }
            column = column * 26 + Int(byte - UInt8(ascii: "A")) + 1
            letters += 1
        }
        guard (1...3).contains(letters), letters < bytes.count, bytes[letters...].allSatisfy(isDigit),
              column <= 16_384 else { return nil }
        return column - 1
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// A 0-based column's letters (1 → `B`).
    static func columnName(_ index: Int) -> String {
        var name = ""
        var rest = index + 1
        while rest > 0 {
            let letter = (rest - 1) % 26
            name.insert(Character(Unicode.Scalar(UInt8(ascii: "A") + UInt8(letter))), at: name.startIndex)
            rest = (rest - 1) / 26
        }
        return name
    }
}

/// Cells of a sheet with one kind of trouble, in sheet order: the first few kept, all counted.
private struct BadCells {
    struct Cell {
        let row: Int
        let column: Int
        /// What to show beside the cell's reference (its error), or "".
        let note: String
    }

    /// How many cells are kept to be named.
    static let kept = 6
    private(set) var cells: [Cell] = []
    private(set) var count = 0

    mutating func add(row: Int, column: Int, note: String = "") {
        count += 1
        if cells.count < Self.kept { cells.append(Cell(row: row, column: column, note: note)) }
    }
}
