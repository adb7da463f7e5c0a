import Foundation

/// Writes RFC 4180 CSV: fields with commas, quotes or line breaks are quoted.
public enum CSVWriter {
    /// The rows as CSV text with CRLF line ends.
    public static func render(_ rows: [[String]]) -> String {
        rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    public static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Appends one record as UTF-8 bytes, quoting the fields that need it, and a CRLF (what
    /// Excel writes): for files of millions of rows, without a string per row.
    static func appendRecord(_ fields: [String], to text: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
            guard needsQuotes else {
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
