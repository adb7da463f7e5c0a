import ArgumentParser
import Foundation
import GridbookCore

/// `gridbook demo`: builds a database from the demo county and shows its coverage.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a database from the demo county (Seeds/demo) and print its coverage table.",
        discussion: "The database is --db or $GRIDBOOK_DB when given (it must not exist yet), else ./gridbook-demo.sqlite, replaced on every run."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The demo seed directory (default: Seeds/demo of this package).")
    var seeds: String?

    func run() async throws {
        let seedDirectory = try seeds ?? DemoCommand.findSeeds()
        // The demo gets its own file unless --db or GRIDBOOK_DB names one.
        let named = global.namedDatabasePath
        let path = named ?? "gridbook-demo.sqlite"
        if FileManager.default.fileExists(atPath: path) {
            guard named == nil else {
                throw CLIError("\(path) already exists; the demo builds a new database, so name a new file or remove it")
            }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let database = try AppDatabase.open(path: path, clock: Console.clock)
        let summary = try await ImportCommand.importSeeds(into: database, from: seedDirectory, encoding: .auto,
                                                    logger: global.logger("gridbook.demo"), actor: global.actor)
        let households = summary.files.first { $0.file == "households.csv" }?.rows ?? 0
        let visits = summary.files.first { $0.file == "visits.csv" }?.rows ?? 0
        print("Imported the demo county from \(seedDirectory): \(households) households, \(visits) visits.\n")
        let report = try await database.coverageReport(asOf: try await database.latestVisitDate())
        try CoverageCommand.print(report, format: .table)
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        print("""

            The demo database is \(absolute).
            Try:  swift run gridbook --db \(path) report coverage --unit \(report.rows.first?.code ?? report.unit.code) --as-of \(report.asOf)
            """)
    }

    /// Seeds/demo in the current directory, else in the package this binary was built from.
    static func findSeeds() throws -> String {
        let candidates = [
            "Seeds/demo",
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Seeds/demo").standardizedFileURL.path,
        ]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/units.csv") }) else {
            throw CLIError("cannot find the demo seeds (Seeds/demo); run from the package directory or pass --seeds DIR")
        }
        return found
    }
}
