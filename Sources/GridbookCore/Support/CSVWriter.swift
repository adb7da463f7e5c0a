import Foundation

/// Writes RFC 4180 CSV: fields with commas, quotes or line breaks are quoted.
public enum CSVWriter {
    /// The rows as CSV text with CRLF line ends.
    public static func render(_ rows: [[String]]) -> String {
        rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// One field: quoted when it holds a comma, a quote or a line break (tested on bytes: in Swift
    /// `"\r\n"` is one Character, equal to neither `"\r"` nor `"\n"`), and kept from being run as
    /// a formula (``guardedAgainstFormulas(_:)``).
    public static func field(_ value: String) -> String {
        let value = guardedAgainstFormulas(value)
        guard value.utf8.contains(where: needsQuotes) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Whether a byte makes a field need quotes: a comma, a quote, a line feed or a carriage return.
    private static func needsQuotes(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// Text that Excel, WPS or LibreOffice would run as a formula when the file is opened (it starts
    /// with `=`, `+`, `-` or `@`, or a tab or carriage return), with an apostrophe before it, as
    /// OWASP advises for CSV files: a household's head named `=HYPERLINK("http://…")` stays text.
    /// A number (`-3`, `+1.5`) and a lone `-` or `+` are left as they are. The importer drops the
    /// apostrophe again (``SeedFile``), so an export imports back unchanged.
    ///
    /// Two more kinds get the apostrophe, so that the importer's reading of it gives back what was
    /// stored: text that reads as a spreadsheet error (`#N/A`, which an import refuses as a value),
    /// and text that starts with such an apostrophe already (`'=`, kept as `''=`).
    public static func guardedAgainstFormulas(_ value: String) -> String {
        guard let first = value.utf8.first else { return value }
        if first == UInt8(ascii: "'") {
            return isGuard(value.utf8) ? "'" + value : value
        }
        if first == UInt8(ascii: "#") || first == UInt8(ascii: "E") {
            return SpreadsheetHabits.isSpreadsheetError(value) ? "'" + value : value
        }
        guard formulaStarts.contains(first), !isNumber(value),
              // A lone sign (a blank written as `-`) is text to a spreadsheet too.
              value.utf8.count > 1 || first == UInt8(ascii: "=") || first == UInt8(ascii: "@") else { return value }
        return "'" + value
    }

    /// Whether `bytes` start with the apostrophe ``guardedAgainstFormulas(_:)`` writes: before a
    /// formula's first character, a tab or carriage return, a spreadsheet error's text or another
    /// such apostrophe. The importer drops it (``SeedFile``).
    static func isGuard(_ bytes: some Collection<UInt8>) -> Bool {
        guard bytes.first == UInt8(ascii: "'") else { return false }
        let rest = bytes.dropFirst()
        guard let second = rest.first else { return false }
        if second == UInt8(ascii: "'") { return isGuard(rest) }
        if formulaStarts.contains(second) { return true }
        guard second == UInt8(ascii: "#") || second == UInt8(ascii: "E"), rest.count <= 32 else { return false }
        return SpreadsheetHabits.isSpreadsheetError(String(decoding: rest, as: UTF8.self))
    }

    /// The first bytes that make a spreadsheet read a cell as a formula.
    static let formulaStarts: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"),
                                            UInt8(ascii: "\t"), UInt8(ascii: "\r")]

    /// Whether `value` is a plain decimal number with an optional sign: `-3`, `+1.5`.
    private static func isNumber(_ value: String) -> Bool {
        var digits = 0, dots = 0
        for (index, byte) in value.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-") where index == 0: continue
            case UInt8(ascii: ".") where dots == 0 && digits > 0: dots += 1
            default: return false
            }
        }
        return digits > 0 && value.utf8.last != UInt8(ascii: ".")
    }

    /// Appends one record as UTF-8 bytes, quoting the fields that need it, and a CRLF (what
    /// Excel writes): for files of millions of rows, without a string per row. `guardingFormulas`:
    /// whether text a spreadsheet would run as a formula gets its apostrophe
    /// (``guardedAgainstFormulas(_:)``): yes for a file people open, no for a workbook's cells
    /// read again at once.
    static func appendRecord(_ fields: [String], to text: inout [UInt8], guardingFormulas: Bool = true) {
        for (index, field) in fields.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            let field = guardingFormulas ? guardedAgainstFormulas(field) : field
            guard field.utf8.contains(where: needsQuotes) else {
                text.append(contentsOf: field.utf8)
                continue
            }
            text.append(UInt8(ascii: "\""))
            for byte in field.utf8 {
                if byte == UInt8(ascii: "\"") { text.append(byte) }
                text.append(byte)
            }
            text.append(UInt8(ascii: "\""))
        }
        text.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }
}

/// The coverage report as CSV: the JSON's keys and numbers, a row per child and a total row.
public enum CoverageCSV {
    /// The report as CSV text.
    public static func render(_ report: CoverageReport) -> String {
        func row(_ code: String, _ name: String, _ level: String, _ counts: CoverageCounts) -> [String] {
            [code, name, level, "\(counts.households)", "\(counts.covered)",
             counts.coverage.map { String(format: "%.1f", $0) } ?? "", "\(counts.overdue)", "\(counts.neverVisited)"]
        }
        return CSVWriter.render(
            [["code", "name", "level", "households", "covered", "coverage", "overdue", "never_visited"]]
                + report.rows.map { row($0.code, $0.name, $0.level, $0.counts) }
                + [row("total", report.unit.name, report.unit.level, report.total)]
        )
    }
}
