import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One seed file being read: a CSV file, Excel's "Unicode text" export (`.txt`: UTF-16,
/// tab-separated) or the first sheet of an `.xlsx` workbook; its header, and the current row's
/// fields by column name.
struct SeedFile {
    let name: SeedFileName
    /// The file's own name (`units.xlsx`), as problems name it.
    let fileName: String
    private(set) var encoding: String
    private var reader: CSVReader
    private var columnIndex: [String: Int] = [:]
    /// The named columns' positions in order, for the check every row's cells pass
    /// (``spreadsheetErrorCell()``; a name is looked up in `columnIndex` only for a cell it finds).
    private var namedColumnIndices: [Int] = []
    private var headerCount = 0
    /// Columns whose header is empty (a spreadsheet saved with blank columns beside the table,
    /// `code,…,registered_on,,`): passed over while their cells are empty too.
    private var unnamedColumns: [Int] = []
    /// For a workbook: the sheet row number of each record (records are rows of text made from
    /// the sheet, and a cell holding a line break would otherwise shift the count).
    private var sheetRows: [Int32]?
    private var record = -1
    /// Whether the file is a workbook that counts dates from 1904: how a date serial in it reads.
    private(set) var date1904 = false
    /// The file's fingerprint (see ``ImportFileSummary/digest``).
    private(set) var digest: String?

    /// The forms a seed file may take, by extension.
    static let extensions = ["csv", "txt", "xlsx"]

    /// The files in `directory` that are `name` in one form or another (`units.csv`, `units.xlsx`).
    static func forms(of name: SeedFileName, in directory: URL) -> [String] {
        name.fileNames.filter { FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }
    }

    /// Reads and decodes the file; nil when it does not exist. Problems with the file as a whole
    /// (encoding, header, two forms of one file) are reported through `report`.
    init?(directory: URL, name: SeedFileName, encoding: TextEncoding, report: (ImportProblem) -> Void) {
        let forms = Self.forms(of: name, in: directory)
        guard let fileName = forms.first else { return nil }
        self.name = name
        self.fileName = fileName
        self.encoding = "?"
        self.reader = CSVReader(utf8: [])
        guard forms.count == 1 else {
            report(ImportProblem(file: fileName, line: 1, column: "-",
                                 problem: "the same file is here as \(forms.joined(separator: " and ")): keep one"))
            return
        }
        let url = directory.appendingPathComponent(fileName)
        if fileName.hasSuffix(".xlsx") {
            // A workbook is known again by its bytes too: a visit log changed through a workbook
            // must not leave the fingerprint of the CSV file before it standing.
            digest = FileMapping(path: url.path).map { Self.fingerprint($0.buffer, release: $0.release) }
            do {
                let sheet = try XLSXSheet(contentsOf: url)
                date1904 = sheet.date1904
                var text: [UInt8] = []
                var rows: [Int32] = []
                var width: Int?
                try sheet.forEachRow { row in
                    // Rows of nothing but spaces are skipped, as the CSV reader skips them.
                    guard row.cells.contains(where: { !$0.allSatisfy { $0 == " " || $0 == "\t" } }) else { return }
                    // A sheet row stops at its last cell with a value: as wide as the header, it
                    // has the header's columns (a row wider with values is reported as in CSV).
                    var cells = row.cells
                    if let width {
                        if cells.count < width { cells += Array(repeating: "", count: width - cells.count) }
                        while cells.count > width, cells.last?.isEmpty == true { cells.removeLast() }
                    } else {
                        width = cells.count
                    }
                    CSVWriter.appendRecord(cells, to: &text, guardingFormulas: false)
                    rows.append(Int32(clamping: row.number))
                }
                self.encoding = "xlsx"
                self.reader = CSVReader(utf8: text)
                self.sheetRows = rows
            } catch {
                report(ImportProblem(file: fileName, line: 1, column: "-", problem: "cannot read the workbook: \(error)"))
                return
            }
            readHeader(report: report)
            return
        }
        let delimiter = fileName.hasSuffix(".txt") ? UInt8(ascii: "\t") : UInt8(ascii: ",")
        // UTF-8, by far the common case, is read from the mapped file in bounded memory; any
        // other text is decoded whole, as before.
        if encoding != .gb18030, let mapping = FileMapping(path: url.path), let start = Self.utf8Start(mapping) {
            mapping.rewind()
            digest = Self.fingerprint(mapping.buffer, release: mapping.release)
            mapping.rewind()
            self.encoding = "UTF-8"
            self.reader = CSVReader(mapped: mapping, start: start, delimiter: delimiter)
            readHeader(report: report)
            return
        }
        guard let data = SeedFile.readBytes(path: url.path) else {
            report(ImportProblem(file: fileName, line: 1, column: "-", problem: "cannot read the file"))
            return
        }
        digest = data.withUnsafeBufferPointer { Self.fingerprint($0) }
        do {
            let decoded = try TextDecoding.utf8Bytes(of: data, encoding: encoding)
            self.encoding = decoded.encoding
            // Excel's "Unicode text" is tab-separated.
            self.reader = CSVReader(utf8: decoded.bytes, delimiter: delimiter)
        } catch {
            let place = TextPlace(in: data, at: error.byteOffset, encoding: error.encoding)
            report(ImportProblem(file: fileName, line: place.line, column: place.columnName(known: name.columns.all),
                                 problem: place.describe(error)))
            self.encoding = error.encoding
            return
        }
        readHeader(report: report)
    }

    /// A file's size and a 64-bit hash of it: enough to know the same file again (a changed
    /// visit log is a different file). FNV-1a over eight bytes at a time, each step rotated so
    /// that every bit of the file reaches every bit of the hash (a change to any one word always
    /// changes it: each step is a bijection of the hash so far); a tenth of a second per
    /// gigabyte. The `w` marks this form: a digest of the byte-at-a-time form (before it) only
    /// means that file is read again once.
    static func fingerprint(_ bytes: UnsafeBufferPointer<UInt8>, release: ((Int) -> Void)? = nil) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let prime: UInt64 = 0x100_0000_01b3
        func rotate(_ value: UInt64) -> UInt64 { value << 29 | value >> 35 }
        guard let base = bytes.baseAddress else { return "0:w" + String(hash, radix: 16) }
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + FileMapping.releaseEvery)
            var index = start
            while index &+ 8 <= end {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                hash = rotate((hash ^ word) &* prime)
                index &+= 8
            }
            while index < end {
                hash = rotate((hash ^ UInt64(base[index])) &* prime)
                index &+= 1
            }
            release?(end)
            start = end
        }
        return "\(bytes.count):w" + String(hash, radix: 16)
    }

    /// Where the text of a mapped file starts when it is UTF-8 that auto-detection would read as
    /// UTF-8 (``TextDecoding/utf8Bytes(of:encoding:)``): after a UTF-8 byte-order mark, or at 0
    /// for valid UTF-8 that could not be GB18030. Nil otherwise: the file is then decoded whole.
    private static func utf8Start(_ mapping: FileMapping) -> Int? {
        let buffer = mapping.buffer
        if buffer.starts(with: [0xFF, 0xFE]) || buffer.starts(with: [0xFE, 0xFF]) { return nil }
        let profile = UTF8Profile(buffer, release: mapping.release)
        mapping.release(upTo: buffer.count)
        guard profile.firstInvalid == nil else { return nil }
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { return 3 }
        return profile.mayBeGB18030 ? nil : 0
    }

    /// The whole file, read straight into one array (no second copy of a file of hundreds of
    /// megabytes); nil when it cannot be read.
    static func readBytes(path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        let size = Int(status.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            guard let base = buffer.baseAddress else { return }
            while count < size {
                let got = read(descriptor, base + count, size - count)
                if got <= 0 {
                    failed = got < 0
                    break
                }
                count += got
            }
        }
        return failed ? nil : bytes
    }

    private mutating func readHeader(report: (ImportProblem) -> Void) {
        let file = fileName
        do {
            record += 1
            guard try reader.next() else {
                report(ImportProblem(file: file, line: 1, column: "-", problem: "the file is empty; a header row is expected"))
                return
            }
        } catch {
            report(ImportProblem(file: file, line: sheetLine(error.line), column: "-", problem: error.problem))
            return
        }
        headerCount = reader.fieldCount
        let (all, required) = name.columns
        if let problem = separatorProblem(all) {
            report(ImportProblem(file: file, line: line, column: "-", problem: problem))
            headerCount = 0
            return
        }
        for (index, raw) in reader.fields.enumerated() {
            let column = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if column.isEmpty {
                unnamedColumns.append(index)
            } else if !all.contains(column) {
                report(ImportProblem(file: file, line: line, column: column.isEmpty ? "-" : column,
                                     problem: "unknown column (expected \(all.joined(separator: ",")))"))
            } else if columnIndex[column] != nil {
                report(ImportProblem(file: file, line: line, column: column, problem: "column appears twice"))
            } else {
                columnIndex[column] = index
                namedColumnIndices.append(index)
            }
        }
        for column in required where columnIndex[column] == nil {
            report(ImportProblem(file: file, line: line, column: column, problem: "missing column"))
        }
    }

    /// Why a header of one column is not read: it names the file's columns separated by another
    /// character than the file's kind is (a `.txt` saved with commas, a `.csv` with semicolons or
    /// tabs, as some spreadsheets' "CSV" is); nil for any other header.
    private func separatorProblem(_ columns: [String]) -> String? {
        // A workbook has cells, not separators.
        guard reader.fieldCount == 1, sheetRows == nil, case let header = reader.string(0) else { return nil }
        let own: Character = fileName.hasSuffix(".txt") ? "\t" : ","
        let separators: [(Character, String)] = [(",", "commas"), (";", "semicolons"), ("\t", "tabs")]
        for (separator, name) in separators where separator != own {
            let names = header.split(separator: separator).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard names.count > 1, names.contains(where: columns.contains) else { continue }
            let expected = fileName.hasSuffix(".txt") ? "a .txt file (Excel's Unicode text) is separated by tabs"
                                                      : "a .csv file is separated by commas"
            return "the header is separated by \(name), but \(expected): save the file again as \(fileName.hasSuffix(".txt") ? "Unicode text" : "CSV (comma delimited)")"
        }
        return nil
    }

    /// Whether the header was read and has every required column.
    var isReadable: Bool {
        headerCount > 0 && name.columns.required.allSatisfy { columnIndex[$0] != nil }
    }

    /// The line the current row starts on (a workbook: its row number in the sheet).
    var line: Int { sheetRows.map { record < $0.count ? Int($0[max(0, record)]) : reader.line } ?? reader.line }

    /// A line the CSV reader names, as the file's own line (a workbook's record → its sheet row).
    private func sheetLine(_ csvLine: Int) -> Int { sheetRows == nil ? csvLine : line }

    /// Before another pass over the file by a copy of this one made before the first (a file is
    /// read once from start to end, and gives back the pages behind it): lets that pass give its
    /// pages back again.
    func rewindPageRelease() {
        reader.rewindPageRelease()
    }

    /// An estimate of the number of rows, from the file's size.
    func estimatedRows(bytesPerRow: Int) -> Int {
        reader.byteCount / max(1, bytesPerRow)
    }

    /// How much of the file has been read, from 0 to 1.
    var progress: Double { reader.progress }

    /// Moves to the next row. Rows with the wrong number of fields, and malformed quoting, are
    /// reported and skipped.
    mutating func nextRow(report: (ImportProblem) -> Void) -> Bool {
        while true {
            do {
                record += 1
                guard try reader.next() else { return false }
            } catch {
                report(ImportProblem(file: fileName, line: sheetLine(error.line), column: "-", problem: error.problem))
                continue
            }
            if reader.fieldCount != headerCount {
                report(ImportProblem(file: fileName, line: line, column: "-",
                                     problem: "expected \(headerCount) columns, found \(reader.fieldCount)"))
                continue
            }
            if let filled = unnamedColumns.first(where: { !reader.string($0).trimmingCharacters(in: .whitespaces).isEmpty }) {
                report(ImportProblem(file: fileName, line: line, column: "-",
                                     problem: "column \(filled + 1) has no name in the header but holds \(reader.string(filled)): name the column or clear it"))
                continue
            }
            if let cell = spreadsheetErrorCell() {
                report(ImportProblem(file: fileName, line: line, column: cell.column,
                                     problem: "holds the spreadsheet error \(cell.error), not a value: correct the formula behind it, or type the value"))
                continue
            }
            return true
        }
    }

    /// The first cell of the current row that holds a spreadsheet error as text (`#N/A`, `#REF!`,
    /// LibreOffice's `Err:502`), as Excel, WPS and LibreOffice write an error cell into CSV and
    /// Unicode text: what the user meant is not known, so it is refused, never stored as text (a
    /// workbook's error cells are refused as it is read, ``XLSXSheet``).
    private func spreadsheetErrorCell() -> (column: String, error: String)? {
        // Most rows hold neither anywhere: one search of the row each passes them.
        guard reader.recordContains(Self.hash) || reader.recordContains(Self.err) else { return nil }
        for index in namedColumnIndices {
            // Every cell of every row passes here: most are passed on their first byte, and no
            // string is made but for text shaped like an error (`#…`, `Err:…`).
            let suspect = reader.withField(index) { bytes in
                guard bytes.count <= 32, let start = bytes.firstIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return false }
                if bytes[start] == UInt8(ascii: "#") { return true }
                return bytes[start...].starts(with: "Err:".utf8)
            }
            guard suspect, case let text = reader.string(index).trimmingCharacters(in: .whitespaces),
                  SpreadsheetHabits.isSpreadsheetError(text), let name = columnIndex.first(where: { $0.value == index })?.key else { continue }
            return (name, text)
        }
        return nil
    }

    private static let hash = Array("#".utf8), err = Array("Err:".utf8)

    /// The position of `column` in the header, for reading it row after row without a lookup.
    func position(_ column: String) -> Int? {
        columnIndex[column]
    }

    /// The current row's value in `column`, trimmed; "" when the column is absent.
    func text(_ column: String) -> String {
        text(at: columnIndex[column])
    }

    /// The current row's value at a header position, trimmed, without the apostrophe a CSV file's
    /// formula guard puts before it (``CSVWriter/isGuard(_:)``); "" when the position is nil.
    func text(at position: Int?) -> String {
        guard let index = position else { return "" }
        var value = reader.string(index)
        if let first = value.unicodeScalars.first, let last = value.unicodeScalars.last, Self.isBlank(first) || Self.isBlank(last) {
            let scalars = value.unicodeScalars
            guard let start = scalars.firstIndex(where: { !Self.isBlank($0) }),
                  let end = scalars.lastIndex(where: { !Self.isBlank($0) })
            else { return "" }
            value = String(scalars[start...end])
        }
        guard value.utf8.first == UInt8(ascii: "'"), CSVWriter.isGuard(value.utf8) else { return value }
        return String(value.dropFirst())
    }

    /// Calls `body` with the bytes of the current row's value at a header position, without
    /// ASCII spaces and tabs around it and without a formula guard's apostrophe (empty when the
    /// position is nil). No string is made.
    func withTrimmedBytes<Result>(at position: Int?, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        reader.withField(position ?? Int.max) { bytes in
            var start = 0, end = bytes.count
            while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
            while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            if end - start > 1, bytes[start] == UInt8(ascii: "'"), CSVWriter.isGuard(bytes[start..<end]) { start += 1 }
            return body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
    }

    /// Spaces a spreadsheet may leave around a value: ASCII, no-break and full-width (全角) spaces, tabs.
    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\u{A0}" || scalar == "\u{3000}" || scalar == "\u{FEFF}"
    }

    /// The current row's value in `column`, or nil when empty.
    func optional(_ column: String) -> String? {
        let value = text(column)
        return value.isEmpty ? nil : value
    }

    /// A `;`-separated list in `column`, trimmed, without empty items.
    func list(_ column: String) -> [String] {
        list(at: columnIndex[column])
    }

    /// A `;`-separated list at a header position, trimmed, without empty items.
    func list(at position: Int?) -> [String] {
        let value = text(at: position)
        guard !value.isEmpty else { return [] }
        if !value.utf8.contains(UInt8(ascii: ";")) { return [value] }
        return value.utf8.split(separator: UInt8(ascii: ";")).compactMap { item in
            let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            guard let first = item.firstIndex(where: { !isBlank($0) }), let last = item.lastIndex(where: { !isBlank($0) }) else {
                return nil
            }
            return String(decoding: item[first...last], as: UTF8.self)
        }
    }
}
