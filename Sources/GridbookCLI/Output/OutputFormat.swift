import ArgumentParser
import Foundation
import GridbookCore

/// How a command prints what it found.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
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

    /// Prints text to standard output as is.
    static func write(_ text: String) {
        print(text, terminator: "")
    }

    /// Prints a value as JSON, exactly as the API answers it.
    static func printJSON(_ value: some Encodable) throws {
        write(String(decoding: try JSONOutput.encode(value), as: UTF8.self) + "\n")
    }
}
