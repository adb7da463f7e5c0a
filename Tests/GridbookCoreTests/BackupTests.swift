import Foundation
import GRDB
@testable import GridbookCore
import Testing

/// A temporary directory for database files, removed when the test ends.
struct FileDirectory: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The names of the files inside, sorted.
    func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The small county in a WAL file at `path`, as a server opens it.
func smallCountyFile(_ path: String) async throws -> AppDatabase {
    let database = try AppDatabase.open(path: path, clock: .fixed(testNow))
    let seeds = try SeedDirectory(smallCounty)
    _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
    return database
}

/// A met visit to H1 by P1, number `n` (its own id).
func h1Visit(_ n: Int) -> NewVisit {
    NewVisit(id: String(format: "bbbbbbbb-0000-4000-8000-%012d", n), householdCode: "H1", visitorId: "P1",
             visitedAt: "2026-06-30T09:00:00+08:00", method: .door, outcome: .met)
}

@Suite("Backup, restore and check")
struct BackupTests {
    @Test("a backup taken while visits are written holds every visit acknowledged before it began, passes its checks, and is one file")
    func backupUnderWrites() async throws {
        let files = try FileDirectory()
        let database = try await smallCountyFile(files.path("county.sqlite"))
        let before = try await tableCounts(database)["visits"] ?? 0
        for n in 1...20 { _ = try await database.logVisit(h1Visit(n), by: .person("P1")) }
        // Writes go on while the backup runs.
        let writer = Task { for n in 21...120 { _ = try await database.logVisit(h1Visit(n), by: .person("P1")) } }
        let summary = try await database.backup(to: files.path("backup.sqlite"))
        try await writer.value
        #expect(summary.households == 8)
        #expect(summary.visits >= before + 20 && summary.visits <= before + 120)
        #expect(summary.bytes > 0)
        #expect(try files.names() == ["backup.sqlite", "county.sqlite", "county.sqlite-shm", "county.sqlite-wal"])
        let copy = try AppDatabase.open(path: files.path("backup.sqlite"), clock: .fixed(testNow))
        #expect(try await copy.check() == CheckResult(integrityProblems: [], foreignKeyProblems: []))
        #expect(try await tableCounts(copy)["visits"] == summary.visits)
    }

    @Test("a backup over an existing file is refused, and the file is left as it was")
    func backupExisting() async throws {
        let files = try FileDirectory()
        let database = try await smallCountyFile(files.path("county.sqlite"))
        try Data("mine".utf8).write(to: files.url.appendingPathComponent("taken.sqlite"))
        await #expect(throws: GridbookError.conflict("\(files.path("taken.sqlite")) already exists: choose a new name for the backup")) {
            _ = try await database.backup(to: files.path("taken.sqlite"))
        }
        #expect(try Data(contentsOf: files.url.appendingPathComponent("taken.sqlite")) == Data("mine".utf8))
    }

    @Test("check names a row whose reference is missing")
    func checkFindsBrokenReference() async throws {
        let database = try await smallCountyDatabase()
        #expect(try await database.check().isSound)
        try await database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM people WHERE id = 'P2'")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let result = try await database.check()
        #expect(result.integrityProblems == [])
        // P2's visits and duty.
        #expect(result.foreignKeyProblems == ["visits row 5: no people it refers to", "visits row 6: no people it refers to",
                                              "visits row 7: no people it refers to", "duties row 2: no people it refers to"])
    }

    @Test("restore puts the backup in place and keeps the replaced file aside, named by the time")
    func restore() async throws {
        let files = try FileDirectory()
        let path = files.path("county.sqlite")
        var database: AppDatabase? = try await smallCountyFile(path)
        _ = try await database?.backup(to: files.path("backup.sqlite"))
        for n in 1...3 { _ = try await database?.logVisit(h1Visit(n), by: .person("P1")) }
        let visitsAfterBackup = try await tableCounts(database!)["visits"]
        database = nil
        let aside = try await AppDatabase.restore(path, from: files.path("backup.sqlite"), now: testNow)
        #expect(aside == path + ".replaced-20261201-000000")
        let restored = try AppDatabase.open(path: path, clock: .fixed(testNow))
        #expect(try await tableCounts(restored)["visits"] == visitsAfterBackup.map { $0 - 3 })
        let kept = try AppDatabase.open(path: aside, clock: .fixed(testNow))
        #expect(try await tableCounts(kept)["visits"] == visitsAfterBackup)
    }

    @Test("restore refuses, changing nothing: a database open elsewhere, a file that is not a database, one that is not Gridbook's, a damaged one")
    func restoreRefusals() async throws {
        let files = try FileDirectory()
        let path = files.path("county.sqlite")
        let server = try await smallCountyFile(path)
        _ = try await server.backup(to: files.path("backup.sqlite"))
        _ = try await server.logVisit(h1Visit(1), by: .person("P1"))
        let expected = try await tableCounts(server)

        await #expect(throws: GridbookError.conflict("\(path) is open in another process (a running gridbook serve?): stop it, then restore")) {
            _ = try await AppDatabase.restore(path, from: files.path("backup.sqlite"), now: testNow)
        }
        try Data("not a database, just text".utf8).write(to: files.url.appendingPathComponent("text.sqlite"))
        await #expect(throws: GridbookError.invalid(field: "backup", problem: "\(files.path("text.sqlite")) is not a readable database (file is not a database)")) {
            _ = try await AppDatabase.restore(path, from: files.path("text.sqlite"), now: testNow)
        }
        let other = try DatabaseQueue(path: files.path("other.sqlite"))
        try await other.write { db in try db.execute(sql: "CREATE TABLE notes (text TEXT)") }
        try other.close()
        await #expect(throws: GridbookError.invalid(field: "backup", problem: "\(files.path("other.sqlite")) is not a Gridbook database")) {
            _ = try await AppDatabase.restore(path, from: files.path("other.sqlite"), now: testNow)
        }
        // A backup whose duty names a person who is not there.
        let damaged = try DatabaseQueue(path: files.path("backup.sqlite"))
        try await damaged.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM people WHERE id = 'P2'")
        }
        try damaged.close()
        await #expect(throws: GridbookError.self) {
            _ = try await AppDatabase.restore(path, from: files.path("backup.sqlite"), now: testNow)
        }
        #expect(try await tableCounts(server) == expected)
        #expect(try files.names().filter { $0.contains("replaced") || $0.contains("restoring") } == [])
    }
}

@Suite("Backups on a schedule")
struct BackupRotationTests {
    @Test("each backup is named by its time; past keep, the oldest go, and other files stay")
    func rotation() async throws {
        let files = try FileDirectory()
        let database = try await smallCountyFile(files.path("county.sqlite"))
        let rotation = BackupRotation(directory: files.path("backups"), keep: 2)
        #expect(BackupRotation.fileName(at: testNow) == "gridbook-20261201-000000.sqlite")
        var removed: [[String]] = []
        for hour in 0..<4 {
            let (summary, gone) = try await rotation.take(of: database, at: testNow.addingTimeInterval(Double(hour) * 3600))
            #expect(summary.households == 8)
            removed.append(gone)
        }
        #expect(removed == [[], [], ["gridbook-20261201-000000.sqlite"], ["gridbook-20261201-010000.sqlite"]])
        #expect(try rotation.backups() == ["gridbook-20261201-020000.sqlite", "gridbook-20261201-030000.sqlite"])
    }
}
