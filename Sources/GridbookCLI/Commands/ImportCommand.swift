import ArgumentParser
import Foundation
import GridbookCore

/// `gridbook import DIR`: loads seed CSV files, all or nothing.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a directory of seed CSV files (all or nothing).",
        discussion: """
            Reads issue_categories.csv, categories.csv, units.csv, people.csv, duties.csv, party_groups.csv, \
            households.csv and visits.csv, any of which may be absent. When any row is bad, every bad row is \
            listed as FILE:LINE: column: problem and nothing is written. Importing the same files again \
            changes nothing.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The directory of CSV files.")
    var directory: String

    @Option(help: "The files' encoding: auto, utf-8 or gb18030.")
    var encoding: String = "auto"

    func validate() throws {
        guard TextEncoding(name: encoding) != nil else {
            throw ValidationError("unknown encoding \(encoding); use auto, utf-8 or gb18030")
        }
    }

    func run() throws {
        let database = try global.open(create: true, bulk: true)
        let summary = try ImportCommand.importSeeds(into: database, from: directory, encoding: TextEncoding(name: encoding) ?? .auto)
        ImportCommand.printSummary(summary)
    }

    /// Imports with progress on the terminal; an import failure becomes the list of problems on stderr.
    static func importSeeds(into database: AppDatabase, from directory: String, encoding: TextEncoding) throws -> ImportSummary {
        let progress = ProgressLine()
        defer { progress.finish() }
        do {
            return try database.importSeeds(
                from: URL(fileURLWithPath: directory),
                options: ImportOptions(encoding: encoding, progress: { file, fraction in progress.update("importing \(file)", fraction) })
            )
        } catch let failure as ImportFailure {
            progress.finish()
            throw CLIError(failure.description)
        }
    }

    static func printSummary(_ summary: ImportSummary) {
        var table = TextTable(headers: ["file", "encoding", "rows", "added", "updated", "unchanged"],
                              alignments: [.left, .left, .right, .right, .right, .right])
        for file in summary.files {
            table.rows.append([file.file, file.encoding, "\(file.rows)", "\(file.added)", "\(file.updated)", "\(file.unchanged)"])
        }
        Console.write(table.render())
        if !summary.changedAnything { print("nothing changed") }
    }
}
