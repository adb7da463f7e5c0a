import Foundation
import GRDB

/// What a backup holds, as `gridbook backup` reports it.
public struct BackupSummary: Equatable, Sendable {
    /// Where the copy is.
    public var path: String
    /// Its size in bytes.
    public var bytes: Int
    /// Rows it holds, for a glance that it is the county expected.
    public var households: Int
    public var visits: Int
}

/// What `gridbook check` found: empty lists when the file is sound.
public struct CheckResult: Equatable, Sendable {
    /// `PRAGMA integrity_check`'s problems (none when it says `ok`).
    public var integrityProblems: [String]
    /// `PRAGMA foreign_key_check`'s rows, as `table row N: no PARENT it refers to`.
    public var foreignKeyProblems: [String]

    /// Whether nothing was found.
    public var isSound: Bool { integrityProblems.isEmpty && foreignKeyProblems.isEmpty }
}

extension AppDatabase {
    /// Copies the database to a new file at `path`, consistently while a server writes: SQLite's
    /// online backup reads one snapshot (every write acknowledged before the backup began is in
    /// it; none half), on a reader connection, so writers go on. The copy is written beside
    /// `path` first, checked with `integrity_check`, made one self-contained file (no WAL), and
    /// only then moved to `path`: a failed backup leaves no file that looks like one.
    ///
    /// Refused when `path` already exists. `progress` hears the fraction copied.
    public func backup(to path: String, progress: (@Sendable (Double) -> Void)? = nil) async throws -> BackupSummary {
        let partial = path + ".partial"
        let removePartial: @Sendable () -> Void = {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: partial + suffix) }
        }
        try await onFileQueue {
            guard !FileManager.default.fileExists(atPath: path) else {
                throw GridbookError.conflict("\(path) already exists: choose a new name for the backup")
            }
            removePartial()
        }
        let summary: BackupSummary
        // While the backup reads its snapshot, the WAL cannot start over: checkpoints do not try.
        backupsRunning.increment()
        defer { backupsRunning.decrement() }
        do {
            summary = try await Self.copy(from: writer, to: partial, progress: progress) { db in
                let problems = try Self.integrityProblems(db)
                guard problems.isEmpty else {
                    throw GridbookError.invalid(field: "backup", problem: "the copy failed its integrity check: \(problems.prefix(3).joined(separator: "; "))")
                }
                return BackupSummary(path: path, bytes: 0,
                                     households: try Int.fetchOne(db, sql: "SELECT count(*) FROM households") ?? 0,
                                     visits: try Int.fetchOne(db, sql: "SELECT count(*) FROM visits") ?? 0)
            }
            try await onFileQueue { try FileManager.default.moveItem(atPath: partial, toPath: path) }
        } catch {
            _ = try? await onFileQueue(removePartial)
            // Said of the backup's file, not of the database (a full or missing backup disk).
            if let error = error as? DatabaseError {
                throw GridbookError.invalid(field: "backup", problem: "cannot write \(path): \(error.message ?? "\(error.resultCode)")")
            }
            throw error
        }
        var sized = summary
        sized.bytes = try await onFileQueue { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        return sized
    }

    /// Runs SQLite's `integrity_check` and `foreign_key_check` over the whole file.
    public func check() async throws -> CheckResult {
        try await read { db in
            CheckResult(integrityProblems: try Self.integrityProblems(db), foreignKeyProblems: try Self.foreignKeyProblems(db))
        }
    }

    /// `integrity_check`'s lines, none when it says `ok`.
    static func integrityProblems(_ db: Database) throws -> [String] {
        let lines = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        return lines == ["ok"] ? [] : lines
    }

    /// `foreign_key_check`'s rows as sentences.
    static func foreignKeyProblems(_ db: Database) throws -> [String] {
        try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { row in
            let table: String = row["table"] ?? "?"
            let rowid: Int64? = row["rowid"]
            let parent: String = row["parent"] ?? "?"
            return "\(table) row \(rowid.map(String.init) ?? "?"): no \(parent) it refers to"
        }
    }

    /// Copies what `source` reads, from one snapshot, into a new file at `path` through SQLite's
    /// online backup, makes it one self-contained file (no WAL), and returns what `finish` reads of
    /// the copy before it is closed. `progress` hears the fraction copied.
    static func copy<T: Sendable>(from source: any DatabaseReader, to path: String, progress: (@Sendable (Double) -> Void)? = nil,
                                  finish: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let destination = try DatabaseQueue(path: path)
        try await source.read { db in
            try destination.inDatabase { copy in
                try db.backup(to: copy, pagesPerStep: 1024) { step in
                    progress?(Double(step.completedPageCount) / Double(max(1, step.totalPageCount)))
                }
            }
        }
        let value = try await destination.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            return try finish(db)
        }
        try destination.close()
        return value
    }

    /// A time as file names carry it: 2026-12-06T20:30:00Z → `20261206-203000` (UTC), so that
    /// names sort by time.
    static func stamp(_ date: Date) -> String {
        let digits = Timestamp(epochSeconds: Int(date.timeIntervalSince1970)).text.filter(\.isNumber)
        return "\(digits.prefix(8))-\(digits.dropFirst(8))"
    }

    /// Whether no other connection has the database at `path` open: SQLite lets a connection
    /// leave WAL mode only when it is alone, so that is the test (leaving it also folds the WAL
    /// into the file; the next ``open(path:clock:)`` turns WAL on again). Throws what SQLite
    /// says of a file it cannot read.
    static func isAlone(_ path: String) throws -> Bool {
        var alone = Configuration()
        alone.busyMode = .immediateError
        do {
            let queue = try DatabaseQueue(path: path, configuration: alone)
            let mode = try queue.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") }
            try queue.close()
            return mode != "wal"
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            return false
        }
    }

    /// Replaces the database at `path` by the backup at `backup`, keeping the replaced file aside
    /// as `path.replaced-STAMP` (STAMP from `now`, UTC), which it returns.
    ///
    /// Refused, changing nothing: a backup that is not a sound Gridbook database
    /// (``checkBackup(_:)``), and a database that another connection has open (a running
    /// `gridbook serve`): SQLite lets a connection leave WAL mode only when it is alone, so that is
    /// the test; leaving it also folds the WAL into the file, so the file kept aside is whole.
    public static func restore(_ path: String, from backup: String, now: Date) async throws -> String {
        let files = FileManager.default
        try await checkBackup(backup)
        let aside = "\(path).replaced-\(stamp(now))"
        if files.fileExists(atPath: path) {
            do {
                guard try isAlone(path) else {
                    throw GridbookError.conflict("\(path) is open in another process (a running gridbook serve?): stop it, then restore")
                }
            } catch is DatabaseError {
                // A damaged database (the reason to restore) may not even leave WAL mode: it is
                // kept aside as it is, its WAL with it.
            }
            for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: path + suffix) {
                try files.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
        }
        let incoming = path + ".restoring"
        do {
            try? files.removeItem(atPath: incoming)
            // Through SQLite, not a file copy: a backup file opened since may hold pages in a WAL beside it.
            var readOnly = Configuration()
            readOnly.readonly = true
            let source = try DatabaseQueue(path: backup, configuration: readOnly)
            try await copy(from: source, to: incoming) { _ in }
            try source.close()
            try files.moveItem(atPath: incoming, toPath: path)
        } catch {
            // The copy failed (a full disk?): the replaced file goes back.
            try? files.removeItem(atPath: incoming)
            for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: aside + suffix) {
                try? files.moveItem(atPath: aside + suffix, toPath: path + suffix)
            }
            throw error
        }
        return aside
    }

    /// Refuses a file that is not a sound Gridbook database to restore: unreadable, without
    /// Gridbook's schema, written by a newer Gridbook, or with integrity or foreign key problems.
    public static func checkBackup(_ backup: String) async throws {
        guard FileManager.default.fileExists(atPath: backup) else { throw GridbookError.notFound("backup \(backup)") }
        var config = Configuration()
        config.readonly = true
        do {
            let candidate = try DatabaseQueue(path: backup, configuration: config)
            try await candidate.read { db in
                guard try db.tableExists("units"), try db.tableExists("grdb_migrations") else {
                    throw GridbookError.invalid(field: "backup", problem: "\(backup) is not a Gridbook database")
                }
                let known = Set(migrator.migrations)
                let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                if let newer = applied.first(where: { !known.contains($0) }) {
                    throw GridbookError.invalid(field: "backup", problem: "\(backup) was written by a newer Gridbook (migration \(newer))")
                }
                let problems = try integrityProblems(db) + foreignKeyProblems(db)
                guard problems.isEmpty else {
                    throw GridbookError.invalid(field: "backup", problem: "\(backup) is damaged: \(problems.prefix(3).joined(separator: "; "))")
                }
            }
            try candidate.close()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            throw GridbookError.invalid(field: "backup", problem: "\(backup) is not a readable database (\(error.message ?? "damaged"))")
        }
    }
}

/// Backups a server takes on a schedule into a directory of their own: each named by the time
/// it was taken, the newest `keep` kept.
public struct BackupRotation: Sendable {
    /// Where the backups go.
    public let directory: String
    /// How many to keep; older ones are removed after each new one.
    public let keep: Int

    public init(directory: String, keep: Int) {
        self.directory = directory
        self.keep = keep
    }

    /// The file name of a backup taken at `date`: `gridbook-20261206-203000.sqlite` (UTC), so that
    /// names sort by time.
    public static func fileName(at date: Date) -> String {
        "gridbook-\(AppDatabase.stamp(date)).sqlite"
    }

    /// The backups in the directory, oldest first (by name, which is by time).
    public func backups() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("gridbook-") && $0.hasSuffix(".sqlite") && $0.count == "gridbook-20261206-203000.sqlite".count }
            .sorted()
    }

    /// Takes a backup of `database` now, then removes the oldest past `keep`; returns the new
    /// backup's summary and the names removed.
    public func take(of database: AppDatabase, at date: Date) async throws -> (BackupSummary, removed: [String]) {
        let directory = directory
        try await onFileQueue {
            let files = FileManager.default
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // What a backup cut short (a server stopped during it) left behind.
            for name in try files.contentsOfDirectory(atPath: directory) where name.hasPrefix("gridbook-") && name.contains(".sqlite.partial") {
                try? files.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
            }
        }
        let summary = try await database.backup(to: (directory as NSString).appendingPathComponent(Self.fileName(at: date)))
        let removed = try await onFileQueue { [self] in
            let all = try backups()
            // An old backup that cannot be removed now is tried again after the next one.
            return all.prefix(max(0, all.count - keep)).filter { name in
                (try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))) != nil
            }
        }
        return (summary, removed)
    }
}
