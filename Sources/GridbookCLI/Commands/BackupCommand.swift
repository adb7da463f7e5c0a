import ArgumentParser
import Foundation
import GridbookCore

/// `gridbook backup PATH`: a consistent copy of the database, safe while a server writes.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database to a new file, consistently, while a server may be writing.",
        discussion: "The copy holds every write acknowledged before it began; it is checked (integrity_check) before it gets its name."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The new file (refused when it exists).", valueName: "path"))
    var path: String

    func run() async throws {
        let database = try await global.open()
        let progress = ProgressLine()
        let started = ContinuousClock.now
        let summary: BackupSummary
        do {
            summary = try await database.backup(to: path) { fraction in progress.update("backup", fraction) }
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        let elapsed = (ContinuousClock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        Console.write("backup written: \(summary.path) (\(summary.bytes / 1_048_576) MiB, \(summary.households) households, "
            + "\(summary.visits) visits, integrity ok, \(String(format: "%.1f", seconds)) s)\n")
    }
}

/// `gridbook restore PATH`: the database replaced by a backup, the replaced file kept aside.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the database by a backup; the replaced file is kept aside.",
        discussion: "Refused while the database is open elsewhere (stop gridbook serve first), and for a backup that fails its checks."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The backup file.", valueName: "path"))
    var backup: String

    func run() async throws {
        let path = global.databasePath
        let aside = try await AppDatabase.restore(path, from: backup, now: Console.clock.now())
        // Opening brings an older backup's schema up to date.
        _ = try await global.open()
        if FileManager.default.fileExists(atPath: aside) {
            Console.write("restored \(path) from \(backup); the replaced database is kept as \(aside)\n")
        } else {
            Console.write("restored \(path) from \(backup)\n")
        }
    }
}

/// `gridbook check`: SQLite's integrity and foreign key checks over the whole file.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the database file (integrity_check, foreign_key_check); exit 1 when anything is found."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let database = try await global.open()
        let result = try await database.check()
        guard result.isSound else {
            for problem in result.integrityProblems { Console.error("integrity: \(problem)") }
            for problem in result.foreignKeyProblems { Console.error("foreign key: \(problem)") }
            throw CLIError("\(global.databasePath): \(result.integrityProblems.count) integrity and \(result.foreignKeyProblems.count) foreign key problems")
        }
        Console.write("\(global.databasePath): integrity ok, foreign keys ok\n")
    }
}
