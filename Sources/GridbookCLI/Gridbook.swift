import ArgumentParser
import Foundation
import GridbookCore
import Logging

/// The `gridbook` command: the grid-management tool and, with `serve`, its API server.
public struct Gridbook: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gridbook",
        abstract: "Grid management and household visit tracking for a county.",
        discussion: "The database is --db, else $GRIDBOOK_DB, else ./gridbook.sqlite.",
        subcommands: [InitCommand.self, ImportCommand.self, DemoCommand.self, UnitCommand.self, PersonCommand.self,
                      HouseholdCommand.self, VisitCommand.self, DueCommand.self, ReportCommand.self, SettingsCommand.self,
                      DigestCommand.self,
                      RiskCommand.self, CaseCommand.self, AuditCommand.self, EventsCommand.self,
                      TokenCommand.self, WebhookCommand.self, LoginCodeCommand.self, SessionCommand.self, ExportCommand.self, SuperviseCommand.self, ServeCommand.self, BackupCommand.self, RestoreCommand.self, CheckCommand.self]
    )

    @OptionGroup var global: GlobalOptions

    public init() {}
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database file.", valueName: "path"))
    var db: String?

    @Flag(name: .long, help: "Say what each step did, with timings, on standard error.")
    var verbose = false

    @Option(name: .customLong("as"), help: ArgumentHelp("Record changes in the audit log as this person.", valueName: "person-id"))
    var asPerson: String?

    /// Who is at the command line, for the audit log: `--as` a person, else the login name.
    var actor: Actor {
        if let person = asPerson { return .person(person) }
        return .commandLine(user: ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "operator")
    }

    /// A logger writing to standard error, at debug level with --verbose.
    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .notice
        return logger
    }

    /// The database path: --db, else $GRIDBOOK_DB, else ./gridbook.sqlite.
    var databasePath: String {
        namedDatabasePath ?? "gridbook.sqlite"
    }

    /// The database path given by --db or $GRIDBOOK_DB, or nil.
    var namedDatabasePath: String? {
        db ?? ProcessInfo.processInfo.environment["GRIDBOOK_DB"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Opens the database, creating it when `create` is set; otherwise a missing file is an error.
    /// `bulk` opens one connection for a long write (an import) instead of a reader pool.
    /// `server` opens it for `gridbook serve` (WAL checkpoints off the commit path).
    func open(create: Bool = false, bulk: Bool = false, server: Bool = false) async throws -> AppDatabase {
        let path = databasePath
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw CLIError("no database at \(path); create one with `gridbook init` or `gridbook import DIR`, or pass --db")
        }
        // An upgrade of an older file may take minutes (a county's visit log is rebuilt): said
        // before it starts, so that nobody stops a command or a server that seems to hang.
        if !create, Self.mayWrite(path), let visits = AppDatabase.pendingUpgrade(path) {
            Console.error("upgrading \(path) to this version of Gridbook: its \(visits) visits are rewritten once "
                          + "(about \(max(1, (visits * 75 + 9_999_999) / 10_000_000)) s); stopped part-way, the file stays as it was")
        }
        let database: AppDatabase
        do {
            // A file (or directory) this user may not write is still read: writes then say so in one line.
            database = try !create && !Self.mayWrite(path) ? AppDatabase.openReadOnly(path: path, clock: Console.clock)
                : bulk ? AppDatabase.openForBulkWrite(path: path, clock: Console.clock)
                : server ? AppDatabase.openForServer(path: path, clock: Console.clock) : AppDatabase.open(path: path, clock: Console.clock)
        } catch {
            throw CLIError("cannot open the database \(path): \(error)")
        }
        // The audit log names --as; an unknown person would be recorded as if they were real.
        // (A new database, or an import, may be what brings the person in.)
        if let person = asPerson, !create {
            do { _ = try await database.person(id: person) } catch GridbookError.notFound { throw CLIError("--as \(person): no such person in \(path)") }
        }
        return database
    }
}

extension GlobalOptions {
    /// Whether this user may write the database file and its directory (SQLite writes its
    /// journal beside it).
    static func mayWrite(_ path: String) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        return access(path, W_OK) == 0 && access(directory.isEmpty ? "." : directory, W_OK) == 0
    }
}

/// A command-line failure: one clear line on stderr and a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
