import Foundation
import GRDB
@testable import GridbookCore
import Synchronization
import Testing

/// The small county's files with a change in every file: new and changed rows of each kind.
private let changedCounty: [String: String] = {
    var files = smallCounty
    files["categories.csv"] = """
        code,label,interval_days
        elderly,独居老人,14
        hardship,困难家庭,30
        disabled,残疾人,60

        """
    files["units.csv"]! += "G4,第二网格,grid,V2\nB2,二号楼栋,block,G3\n"
    files["people.csv"] = files["people.csv"]!.replacingOccurrences(of: "P2,巴特尔,,", with: "P2,巴特尔,13700001111,") + "P3,其木格,,\n"
    files["duties.csv"] = files["duties.csv"]!.replacingOccurrences(of: "P1,grid_member,G1,2025-01-01,", with: "P1,grid_member,G1,2025-01-01,2026-11-01")
        + "P3,grid_member,G4,2026-01-01,\n"
    files["party_groups.csv"] = "code,name,leader_id,grid_codes,member_ids\nPG1,红旗村第一党小组,P1,G1;G2,P1;P3\n"
    files["households.csv"] = files["households.csv"]!
        .replacingOccurrences(of: "H3,G1,,红旗村一组3号,赵强,,2,elderly,", with: "H3,G1,,红旗村一组3号,赵强,,2,disabled,")
        .replacingOccurrences(of: "H5,G2,,红旗村二组2号", with: "H5,G4,,红旗村二组2号")
        + "H9,G3,B2,乌兰嘎查4号,敖登,,1,elderly,2026-01-01\n"
    files["visits.csv"] = files["visits.csv"]!
        .replacingOccurrences(of: "2026-06-20T10:00:00+08:00,door,absent", with: "2026-06-20T10:00:00+08:00,door,met")
        // H1's only met visit moves to H2: H1 is left never met.
        .replacingOccurrences(of: "00000000-0000-4000-8000-000000000001,H1,", with: "00000000-0000-4000-8000-000000000001,H2,")
        + "00000000-0000-4000-8000-000000000008,H9,P2,2026-11-02T09:00:00+08:00,door,met,\n"
    return files
}()

/// Every seed table's rows and each household's kept dates, in a fixed order (duties without
/// their database id), to compare two databases.
private func contents(_ database: AppDatabase) async throws -> [String] {
    try await database.read { db in
        var lines: [String] = []
        for (table, columns, order) in [
            ("units", "code, name, level, parent_code", "code"), ("categories", "*", "code"), ("issue_categories", "*", "code"),
            ("people", "*", "id"), ("duties", "person_id, role, unit_code, since, until", "person_id, role, unit_code, since"),
            ("party_groups", "*", "code"), ("party_group_grids", "*", "group_code, grid_code"),
            ("party_group_members", "*", "group_code, person_id"), ("households", "*", "code"),
            ("household_categories", "*", "household_code, category_code"), ("visits", "*", "id"),
        ] {
            for row in try Row.fetchAll(db, sql: "SELECT \(columns) FROM \(table) ORDER BY \(order)") {
                lines.append("\(table) \(row)")
            }
        }
        return lines
    }
}

@Suite("Seed import into a county in use: staged, without holding the write lock while reading")
struct StagedImportTests {
    @Test("another connection writes while a re-import reads its files, and both writes are kept")
    func writesGoOnDuringImport() async throws {
        let files = try FileDirectory()
        let path = files.path("county.sqlite")
        _ = try await smallCountyFile(path)
        // While the import reads its files, a visit is written from another connection that
        // refuses to wait for a lock: an import holding the write lock would make it fail.
        let written = Mutex<String?>(nil)
        let progress: @Sendable (String, Double, Int?) -> Void = { _, _, _ in
            guard written.withLock({ $0 == nil }) else { return }
            var config = Configuration()
            config.busyMode = .immediateError
            let outcome: String
            do {
                let queue = try DatabaseQueue(path: path, configuration: config)
                try queue.write { db in
                    try db.execute(sql: """
                        INSERT INTO visits (id, household_code, visitor_id, visited_at, visited_on, method, outcome, note)
                        VALUES (X'00000000000040008000000000000099', 'H4', 'P1', '2026-11-30T10:00:00+08:00', '2026-11-30', 'door', 'met', '')
                        """)
                }
                outcome = "written"
            } catch {
                outcome = "\(error)"
            }
            written.withLock { $0 = outcome }
        }
        let importer = try AppDatabase.openForBulkWrite(path: path, clock: .fixed(testNow))
        // A new holiday too: every file's rows are staged, none written to the database before the end.
        var seedFiles = smallCounty(appending: "00000000-0000-4000-8000-000000000008,H4,P1,2026-11-20T10:00:00+08:00,door,met,\n",
                                to: "visits.csv")
        seedFiles["holidays.csv"] = "date,kind,name\n2026-10-01,holiday,国庆节\n"
        let seeds = try SeedDirectory(seedFiles)
        let summary = try await importer.importSeeds(from: seeds.url, options: ImportOptions(now: testNow, progress: progress))
        #expect(written.withLock { $0 } == "written")
        #expect(try await importer.workCalendar().holidays == [LocalDate("2026-10-01")!])
        #expect(summary.files.map { "\($0.file) +\($0.added) ~\($0.updated)" } == [
            "holidays.csv +1 ~0", "categories.csv +0 ~0", "units.csv +0 ~0", "people.csv +0 ~0", "duties.csv +0 ~0", "households.csv +0 ~0", "visits.csv +1 ~0",
        ])
        let (visits, lastMet, dueOn, audits) = try await importer.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM visits"),
             try String.fetchOne(db, sql: "SELECT last_met_on FROM households WHERE code = 'H4'"),
             try String.fetchOne(db, sql: "SELECT due_on FROM households WHERE code = 'H4'"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'import'"))
        }
        #expect(visits == 9)
        // The household's dates are worked out from the database as the import commits: the
        // other connection's later visit counts.
        #expect(lastMet == "2026-11-30")
        #expect(dueOn == "2027-02-28")
        #expect(audits == 2)
        // Nothing of the staging is left on the connection.
        let temporary = try await importer.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_temp_master") }
        #expect(temporary == [])
    }

    @Test("a re-import with a change in every file leaves exactly what one import of the changed files into a new database does")
    func stagedEqualsDirect() async throws {
        let staged = try await smallCountyDatabase()
        let seeds = try SeedDirectory(changedCounty)
        let summary = try await staged.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(summary.files.map { "\($0.file) +\($0.added) ~\($0.updated)" } == [
            "categories.csv +1 ~1", "units.csv +2 ~0", "people.csv +1 ~1", "duties.csv +1 ~1", "party_groups.csv +1 ~0",
            "households.csv +1 ~2", "visits.csv +1 ~2",
        ])
        let direct = try AppDatabase.inMemory(clock: .fixed(testNow))
        _ = try await direct.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        let expected = try await contents(direct)
        #expect(expected.count == 64)
        #expect(try await contents(staged) == expected)
        // H2 (elderly and hardship) is due by the elderly's new 14 days, though nothing else of it changed.
        #expect(expected.contains { $0.hasPrefix("households [code:\"H2\"") && $0.contains("interval_days:14") })
        #expect(expected.contains { $0.hasPrefix("households [code:\"H1\"") && $0.contains("last_met_on:NULL") })
    }

    @Test("a block moved with its households while a re-import read its files is not put back: the import is refused, nothing written")
    func blockMovedMeanwhile() async throws {
        let files = try FileDirectory()
        let path = files.path("county.sqlite")
        _ = try await smallCountyFile(path)
        let moved = Mutex(false)
        let progress: @Sendable (String, Double, Int?) -> Void = { _, _, _ in
            guard !moved.withLock({ $0 }) else { return }
            moved.withLock { $0 = true }
            // What `gridbook unit move B1 G2` does, from another process.
            let queue = try? DatabaseQueue(path: path)
            try? queue?.write { db in
                try db.execute(sql: "UPDATE units SET parent_code = 'G2' WHERE code = 'B1'")
                try db.execute(sql: "UPDATE households SET grid_code = 'G2' WHERE block_code = 'B1'")
            }
        }
        let importer = try AppDatabase.openForBulkWrite(path: path, clock: .fixed(testNow))
        let seeds = try SeedDirectory(smallCounty.merging(["units.csv": smallCounty["units.csv"]!.replacingOccurrences(of: "B1,一号楼栋", with: "B1,一号楼")]) { $1 })
        let error = await #expect(throws: GridbookError.self) {
            try await importer.importSeeds(from: seeds.url, options: ImportOptions(now: testNow, progress: progress))
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("block B1 was moved while the import read its files"))
        let block = try await importer.read { try String.fetchOne($0, sql: "SELECT name || ' ' || parent_code FROM units WHERE code = 'B1'") }
        #expect(block == "一号楼栋 G2")
    }

    /// Rows appended to the small county's visits.csv (lines 9 and on) that repeat an id, each
    /// found another way: a stored visit's row again as it is, a changed copy of a stored visit's
    /// row, a new visit twice (the second in capitals), and a new visit's id on a bad row first.
    static let repeatedIds: [(rows: String, problems: [String])] = [
        ("00000000-0000-4000-8000-000000000001,H1,P1,2026-06-01T10:00:00+08:00,door,met,\n",
         ["visits.csv:9: id: 00000000-0000-4000-8000-000000000001 appears twice in the file (first on line 2)"]),
        ("00000000-0000-4000-8000-000000000003,H3,P1,2026-06-22T10:00:00+08:00,phone,absent,\n",
         ["visits.csv:9: id: 00000000-0000-4000-8000-000000000003 appears twice in the file (first on line 4)"]),
        ("00000000-0000-4000-8000-0000000000aa,H1,P1,2026-07-01T10:00:00+08:00,door,met,\n"
            + "00000000-0000-4000-8000-0000000000AA,H2,P1,2026-07-01T10:00:00+08:00,door,met,\n",
         ["visits.csv:10: id: 00000000-0000-4000-8000-0000000000AA appears twice in the file (first on line 9)"]),
        ("00000000-0000-4000-8000-0000000000bb,H404,P1,2026-07-01T10:00:00+08:00,door,met,\n"
            + "00000000-0000-4000-8000-0000000000bb,H1,P1,2026-07-01T10:00:00+08:00,door,met,\n",
         ["visits.csv:9: household_code: unknown household H404",
          "visits.csv:10: id: 00000000-0000-4000-8000-0000000000bb appears twice in the file (first on line 9)"]),
    ]

    @Test("an id twice in a re-imported visits.csv is refused, however the rows stand against the stored visits; nothing written",
          arguments: 0..<repeatedIds.count)
    func stagedRepeatedId(_ index: Int) async throws {
        let database = try await smallCountyDatabase()
        let before = try await contents(database)
        let (rows, expected) = Self.repeatedIds[index]
        #expect(try await importProblems(database, smallCounty(appending: rows, to: "visits.csv")) == expected)
        #expect(try await contents(database) == before)
        let temporary = try await database.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_temp_master") }
        #expect(temporary == [])
    }

    @Test("the same ids into a new database are refused the same way, nothing written", arguments: 0..<repeatedIds.count)
    func firstImportRepeatedId(_ index: Int) async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let empty = try await tableCounts(database)
        let (rows, expected) = Self.repeatedIds[index]
        #expect(try await importProblems(database, smallCounty(appending: rows, to: "visits.csv")) == expected)
        #expect(try await tableCounts(database) == empty)
        let indexes = try await indexNames(database, on: "visits")
        #expect(indexes == ["visits_household", "visits_id"])
    }

    @Test("a re-import that adds a day's visits and changes one keeps every other visit as it was")
    func stagedNewAndChangedVisits() async throws {
        let database = try await smallCountyDatabase()
        var files = smallCounty(appending: "00000000-0000-4000-8000-0000000000aa,H4,P1,2026-07-01T10:00:00+08:00,door,met,\n", to: "visits.csv")
        files["visits.csv"] = files["visits.csv"]!.replacingOccurrences(of: "H5,P1,2026-06-20T10:00:00+08:00,door,absent", with: "H5,P1,2026-06-20T10:00:00+08:00,door,met")
        let seeds = try SeedDirectory(files)
        let summary = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(summary.files.first { $0.file == "visits.csv" }.map { "\($0.rows) \($0.added) \($0.updated)" } == "8 1 1")
        let visits = try await database.read { try String.fetchAll($0, sql: "SELECT household_code || ' ' || outcome FROM visits ORDER BY id") }
        #expect(visits == ["H1 met", "H2 met", "H3 met", "H5 met", "H7 met", "H7 met", "H8 met", "H4 met"])
    }

    @Test("a staged re-import with a bad row writes nothing and leaves no copies behind")
    func stagedRefusal() async throws {
        let database = try await smallCountyDatabase()
        let before = try await contents(database)
        var files = changedCounty
        files["visits.csv"]! += "00000000-0000-4000-8000-000000000009,H404,P1,2026-11-02T09:00:00+08:00,door,met,\n"
        #expect(try await importProblems(database, files) == ["visits.csv:10: household_code: unknown household H404"])
        #expect(try await contents(database) == before)
        let temporary = try await database.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_temp_master") }
        #expect(temporary == [])
    }
}

@Suite("Re-importing an unchanged visit log")
struct UnchangedVisitLogTests {
    @Test("the same visits.csv is not read again; a changed one is, and a failed import keeps the old fingerprint")
    func skipped() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory(smallCounty)
        let first = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(first.files.first { $0.file == "visits.csv" }?.skipped == false)
        let again = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        let visits = try #require(again.files.first { $0.file == "visits.csv" })
        #expect(visits.skipped && visits.rows == 0 && !again.changedAnything)
        // A changed visit log is read: the new visit is added.
        let text = try #require(smallCounty["visits.csv"]) + "00000000-0000-4000-8000-000000000009,H1,P1,2026-06-02T09:00:00+08:00,door,met,\n"
        try seeds.write("visits.csv", Data(text.utf8))
        let changed = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(changed.files.first { $0.file == "visits.csv" }.map { ($0.skipped, $0.added) } ?? (true, 0) == (false, 1))
        // A refused import records nothing: the next one reads the file.
        try seeds.write("visits.csv", Data((text + "00000000-0000-4000-8000-000000000010,H404,P1,2026-06-02T09:00:00+08:00,door,met,\n").utf8))
        await #expect(throws: ImportFailure.self) { try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow)) }
        try seeds.write("visits.csv", Data(text.utf8))
        let read = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(read.files.first { $0.file == "visits.csv" }?.skipped == true)
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM visits") } == 8)
    }
}
