import ArgumentParser
import Foundation
import GridbookCore
import Logging

/// `gridbook import DIR`: loads seed CSV files, all or nothing.
struct ImportCommand: AsyncParsableCommand {
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

    func run() async throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("\(directory): no such directory")
        }
        let path = global.databasePath
        let isNewFile = !FileManager.default.fileExists(atPath: path)
        do {
            let summary = try await ImportCommand.importSeeds(into: global.open(create: true, bulk: true), from: directory,
                                                        encoding: TextEncoding(name: encoding) ?? .auto,
                                                        logger: global.logger("gridbook.import"), actor: global.actor)
            ImportCommand.printSummary(summary)
        } catch {
            // A failed import into a new file leaves no empty database behind.
            if isNewFile {
                for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            throw error
        }
    }

    /// Imports with progress on the terminal; an import failure becomes the list of problems on stderr.
    static func importSeeds(into database: AppDatabase, from directory: String, encoding: TextEncoding,
                            logger: Logger, actor: Actor) async throws -> ImportSummary {
        let progress = ProgressLine()
        defer { progress.finish() }
        do {
            var options = ImportOptions(encoding: encoding, progress: { step, fraction, rows in progress.update(step, fraction, rows: rows) })
            options.logger = logger
            options.actor = actor
            return try await database.importSeeds(from: URL(fileURLWithPath: directory), options: options)
        } catch let failure as ImportFailure {
            // Every problem on its own line, exactly FILE:LINE: column: problem.
            progress.finish()
            Console.error(failure.description)
            throw ExitCode.failure
        }
    }

    static func printSummary(_ summary: ImportSummary) {
        var table = TextTable(headers: ["file", "encoding", "rows", "added", "updated", "unchanged"],
                              alignments: [.left, .left, .right, .right, .right, .right])
        for file in summary.files {
            if file.skipped {
                table.rows.append([file.file, file.encoding, "-", "0", "0", "all (the file as last imported: not read again)"])
            } else {
                table.rows.append([file.file, file.encoding, "\(file.rows)", "\(file.added)", "\(file.updated)", "\(file.unchanged)"])
            }
        }
        Console.write(table.render())
        if !summary.changedAnything { print("nothing changed") }
    }
}
