import ArgumentParser
import Foundation
import GridbookCore
import Synchronization

/// How a command prints a list or a report table: CSV is its rows (RFC 4180, ``CSVWriter``).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// How a command prints one record or what it did, which has no rows to give as CSV: `csv`
/// is refused (exit 64, naming `table` and `json`) rather than printed as a table.
enum RecordFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// How a report that can also be a web page prints.
enum PageFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json, html
}

/// Writes to standard output and standard error.
enum Console {
    /// Whether standard error is a terminal (progress is drawn only then).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Prints a line to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Where standard output goes instead, when set (tests read what a command prints).
    @TaskLocal static var capture: OutputCapture?

    /// The clock every command's database gets: the real one, unless a test runs a command at a
    /// time of its own.
    @TaskLocal static var clock = WallClock.system

    /// Prints text to standard output as is.
    static func write(_ text: String) {
        if let capture { capture.append(text) } else { print(text, terminator: "") }
    }

    /// Prints a value as JSON, exactly as the API answers it.
    static func printJSON(_ value: some Encodable) throws {
        write(String(decoding: try JSONOutput.encode(value), as: UTF8.self) + "\n")
    }
}

/// What a command printed to standard output, collected instead of printed.
final class OutputCapture: Sendable {
    private let text = Mutex("")

    init() {}

    func append(_ more: String) { text.withLock { $0 += more } }

    /// Everything printed so far.
    var output: String { text.withLock { $0 } }
}

/// A list printed as a table, CSV or the API's JSON list, from one description of its columns.
struct ListOutput<Item: Encodable & Sendable> {
    /// A column: its header, how its cells sit, and the cell of an item.
    struct Column {
        var header: String
        var alignment: TextTable.Alignment = .left
        var cell: (Item) -> String
    }

    var page: Page<Item>
    var columns: [Column]

    /// A list printed as one page (`page` of a list the API pages).
    init(page: Page<Item>, columns: [Column]) {
        self.page = page
        self.columns = columns
    }

    /// A list that is not paged (the audit log, people): all of it.
    init(items: [Item], columns: [Column]) {
        self.init(page: Page(items: items), columns: columns)
    }

    /// Prints the page in `format`: JSON as the API answers it, else a table or CSV of the
    /// columns, and on standard error how to ask for the next page when there is one.
    func print(_ format: OutputFormat) throws {
        let rows = page.items.map { item in columns.map { $0.cell(item) } }
        if format != .json, let next = page.next { Console.error("(more: --after '\(next)')") }
        switch format {
        case .json:
            try Console.printJSON(page)
        case .csv:
            Console.write(CSVWriter.render([columns.map(\.header)] + rows))
        case .table:
            var table = TextTable(headers: columns.map(\.header), alignments: columns.map(\.alignment))
            table.rows = rows
            Console.write(table.render())
        }
    }
}

/// `--limit` and `--after`: which page of a list to print, as the API pages it.
struct PageOptions: ParsableArguments {
    @Option(help: "Items on the page, 1 to \(PageRequest.maximumLimit).")
    var limit = PageRequest.defaultLimit

    @Option(help: "Start after this cursor (what the previous page said after --after).")
    var after: String?

    func validate() throws {
        guard (1...PageRequest.maximumLimit).contains(limit) else {
            throw ValidationError("--limit must be from 1 to \(PageRequest.maximumLimit)")
        }
    }

    /// The page asked for.
    func request() throws -> PageRequest {
        try PageRequest(limit: limit, after: after)
    }
}
