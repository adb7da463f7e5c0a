import Foundation
import GRDB
import Testing
@testable import GridbookCore

@Suite("Visit ids stored as 16 bytes")
struct VisitIdStorageTests {
    /// A database file at `path` with the schema as it was before visit ids were stored as bytes
    /// (v15), a county, grid G, person P1 and household H1 in it, and the visits `visits` inserts.
    func oldDatabase(at path: String, visits: String) async throws -> DatabaseQueue {
        let old = try DatabaseQueue(path: path, configuration: AppDatabase.makeConfiguration())
        try AppDatabase.migrator.migrate(old, upTo: "v15: the work calendar and supervision cards")
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO units (code, name, level, parent_code) VALUES ('C', '县', 'county', NULL), ('T', '镇', 'township', 'C'),
                    ('V', '村', 'village', 'T'), ('G', '网格', 'grid', 'V');
                INSERT INTO people (id, name) VALUES ('P1', '李明');
                INSERT INTO households (code, grid_code, registered_on) VALUES ('H1', 'G', '2025-01-01');
                \(visits)
                """)
        }
        return old
    }

    @Test("a visit id is stored as its 16 bytes, most significant first, and read back as lowercase text")
    func storedForm() async throws {
        let database = try await smallCountyDatabase()
        let given = "ABCDEF01-2345-4678-89AB-CDEF01234567"
        let result = try await database.logVisit(NewVisit(id: given, householdCode: "H3", visitorId: "P1",
                                                          visitedAt: "2026-06-30T09:00:00+08:00", method: .door, outcome: .met), now: testNow)
        #expect(result.visit.id == "abcdef01-2345-4678-89ab-cdef01234567")
        let stored = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT typeof(id) || ' ' || length(id) || ' ' || hex(id) FROM visits WHERE household_code = 'H3' AND visited_on = '2026-06-30'")
        }
        #expect(stored == "blob 16 ABCDEF0123454678 89ABCDEF01234567".replacingOccurrences(of: " 89", with: "89"))
        let read = try await database.read { db in try Visit.fetchOne(db, sql: "SELECT * FROM visits WHERE id = ?", arguments: [UUIDKey(given)]) }
        #expect(read == result.visit)
        // The SQL functions go both ways.
        let text = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT gridbook_uuid_text(gridbook_uuid_bytes(?))", arguments: [given])
        }
        #expect(text == "abcdef01-2345-4678-89ab-cdef01234567")
        #expect(try await database.read { db in try DatabaseValue.fetchOne(db, sql: "SELECT gridbook_uuid_bytes('not-a-uuid')") } == .null)
    }

    @Test("stored ids sort as their text does")
    func storedOrder() throws {
        let texts = ["00000000-0000-4000-8000-000000000001", "0000000f-0000-4000-8000-000000000000",
                     "10000000-0000-4000-8000-000000000000", "ffffffff-0000-4000-8000-000000000000",
                     "a0000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-0000000000ff"]
        let keys = try texts.map { try #require(UUIDKey($0)) }
        let byBytes = keys.sorted { $0.storedBytes.lexicographicallyPrecedes($1.storedBytes) }.map(\.description)
        #expect(byBytes == texts.sorted())
    }

    @Test("a visits page's cursor must end in a UUID")
    func cursorId() {
        #expect(VisitCursor("2026-06-30|H1|2026-06-30T09:00:00+08:00|aaaaaaaa-0000-4000-8000-000000000001") != nil)
        #expect(VisitCursor("2026-06-30|H1|2026-06-30T09:00:00+08:00|zzz") == nil)
    }

    @Test("an upgrade that cannot be made says why in one line, and leaves the file as it was")
    func upgradeRefused() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-upgrade-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let old = try await oldDatabase(at: path, visits: """
            INSERT INTO visits (id, household_code, visitor_id, visited_at, visited_on, method, outcome) VALUES
                ('aaaaaaaa-0000-4000-8000-000000000001', 'H1', 'P1', '2026-06-01T09:00:00+08:00', '2026-06-01', 'door', 'met'),
                ('visit-7', 'H1', 'P1', '2026-06-02T09:00:00+08:00', '2026-06-02', 'door', 'met');
            """)
        try old.close()
        #expect(throws: GridbookError.conflict("the database could not be upgraded to this version of Gridbook, and is as it was: "
                                               + "the stored visit id \"visit-7\" is not a UUID (correct it with the older version)")) {
            _ = try AppDatabase.open(path: path, clock: .fixed(testNow))
        }
        let after = try DatabaseQueue(path: path)
        #expect(try await after.read { db in try String.fetchAll(db, sql: "SELECT id FROM visits ORDER BY rowid") }
                == ["aaaaaaaa-0000-4000-8000-000000000001", "visit-7"])
        #expect(try await after.read { db in try AppDatabase.migrator.completedMigrations(db).last } == "v15: the work calendar and supervision cards")
        try after.close()
    }

    @Test("a database whose visit ids are text is upgraded: every visit kept, with its rowid, id and indexes")
    func upgrade() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-upgrade-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        // The schema as it was before visit ids were stored as bytes, with two visits in it.
        let old = try await oldDatabase(at: path, visits: """
            INSERT INTO visits (rowid, id, household_code, visitor_id, visited_at, visited_on, method, outcome, note) VALUES
                (7, 'aaaaaaaa-0000-4000-8000-000000000002', 'H1', 'P1', '2026-06-01T09:00:00+08:00', '2026-06-01', 'door', 'met', '甲'),
                (9, 'aaaaaaaa-0000-4000-8000-000000000001', 'H1', 'P1', '2026-06-02T09:00:00+08:00', '2026-06-02', 'phone', 'absent', '');
            """)
        // An older server still has the file open (in WAL mode, as a server keeps it): the
        // upgrade is refused, and nothing changes.
        var olderServer = Configuration()
        olderServer.journalMode = .wal
        let server = try DatabasePool(path: path, configuration: olderServer)
        try await server.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM visits") }
        #expect(throws: GridbookError.conflict("\(path) needs an upgrade to this version of Gridbook, and another process has it open "
                                               + "(an older gridbook serve?): stop it, then run this again (take a backup with the older version first)")) {
            _ = try AppDatabase.open(path: path, clock: .fixed(testNow))
        }
        #expect(try await server.read { db in try String.fetchAll(db, sql: "SELECT typeof(id) FROM visits") } == ["text", "text"])
        try server.close()
        try old.close()
        // What the command line says before it starts: an upgrade of two visits.
        #expect(AppDatabase.pendingUpgrade(path) == 2)
        let database = try AppDatabase.open(path: path, clock: .fixed(testNow))
        #expect(AppDatabase.pendingUpgrade(path) == nil)
        let rows = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT rowid || ' ' || typeof(id) || ' ' || gridbook_uuid_text(id) || ' ' || note FROM visits ORDER BY rowid")
        }
        #expect(rows == ["7 blob aaaaaaaa-0000-4000-8000-000000000002 甲", "9 blob aaaaaaaa-0000-4000-8000-000000000001 "])
        let indexes = try await indexNames(database, on: "visits")
        #expect(indexes == ["visits_household", "visits_id"])
        #expect(try await database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
        // A client sending a visit again after the upgrade gets the stored one back, not a second.
        let again = try await database.read { db in
            try Visit.fetchOne(db, sql: "SELECT * FROM visits WHERE id = ?", arguments: [UUIDKey("AAAAAAAA-0000-4000-8000-000000000002")])
        }
        #expect(again?.note == "甲")
        #expect(again?.id == "aaaaaaaa-0000-4000-8000-000000000002")
    }
}
