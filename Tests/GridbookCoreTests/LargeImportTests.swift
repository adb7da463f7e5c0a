import Foundation
import GRDB
import Testing
@testable import GridbookCore

@Suite("Imports larger than one batch of visits")
struct LargeImportTests {
    /// `count` visit rows for the small county's household H1, one a day from 1990-01-01.
    func visitRows(_ count: Int, badAt bad: Set<Int> = []) -> String {
        (0..<count).map { index in
            let date = LocalDate("1990-01-01")!.adding(days: index)
            let household = bad.contains(index) ? "NOPE" : "H1"
            return String(format: "00000000-0000-4000-8000-%012x,%@,P1,%@T10:00:00+08:00,door,met,\n", index, household, date.description)
        }.joined()
    }

    @Test("thousands of visits import, and the household keeps its latest met date")
    func manyVisits() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory(smallCounty(replacing: "visits.csv", with: visitRows(10_000)))
        let summary = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(summary.files.last.map { "\($0.file) \($0.rows) \($0.added)" } == "visits.csv 10000 10000")
        #expect(try await database.read { try Household.fetchOne($0, key: "H1")?.lastMetOn } == LocalDate("1990-01-01")!.adding(days: 9_999))
        // The indexes dropped for the bulk load are back.
        let indexes = try await indexNames(database, on: "visits")
        #expect(indexes == ["visits_household", "visits_id"])
        // So is the households' index on due dates, built again after their dates were written,
        // and it holds those dates.
        let householdIndexes = try await indexNames(database, on: "households")
        #expect(householdIndexes == ["households_block", "households_grid_due"])
        let indexed = try await database.read { try String.fetchAll($0, sql: "SELECT code || ' ' || due_on || ' ' || IFNULL(last_met_on, '-') FROM households INDEXED BY households_grid_due WHERE grid_code IS NOT NULL ORDER BY code") }
        let stored = try await database.read { try String.fetchAll($0, sql: "SELECT code || ' ' || due_on || ' ' || IFNULL(last_met_on, '-') FROM households NOT INDEXED ORDER BY code") }
        #expect(indexed == stored)
        #expect(stored.count == 8)
    }

    /// Visit rows for households `order` in turn, `perHousehold` each (ids by their place).
    func visitRows(households order: [String], perHousehold: Int) -> String {
        order.enumerated().flatMap { position, household in
            (0..<perHousehold).map { index in
                let date = LocalDate("1990-01-01")!.adding(days: index)
                return String(format: "00000000-0000-4000-8000-%012x,%@,P1,%@T10:00:00+08:00,door,%@,\n", position * perHousehold + index,
                              household, date.description, index % 3 == 0 ? "absent" : "met")
            }
        }.joined()
    }

    @Test("the reader tells whether the good rows so far came in household order, batch by batch")
    func householdOrder() throws {
        let seeds = try SeedDirectory(["visits.csv": "id,household_code,visitor_id,visited_at,method,outcome,note\n"
            + visitRows(households: ["H1", "H2", "H2", "H3"], perHousehold: 2)
            // A bad row out of order does not count: it is not written.
            + "00000000-0000-4000-8000-0000000000aa,NOPE,P1,2026-01-01T10:00:00+08:00,door,met,\n"
            + visitRows(households: ["H5", "H4", "H6"], perHousehold: 1)])
        let file = try #require(SeedFile(directory: seeds.url, name: .visits, encoding: .utf8, report: { _ in }))
        var households = CodeTable()
        for code in ["H1", "H2", "H3", "H4", "H5", "H6"] { households.set(code, 1) }
        var reader = VisitReader(file: file, households: households, people: ["P1"], calendar: LocalCalendar(timeZone: try #require(TimeZone(identifier: "Asia/Shanghai"))),
                                 latestAllowed: Int.max, problemBudget: 50, progress: nil)
        var batches: [String] = []
        while let batch = reader.nextBatch(size: 4) {
            batches.append("\(batch.rows.count) \(batch.problems.count) \(batch.inHouseholdOrder)")
        }
        // H1 H1 H2 H2 | H2 H2 H3 H3 | NOPE H5 H4 H6: the first two in order, H4 after H5 is not.
        #expect(batches == ["4 0 true", "4 0 true", "3 1 false"])
    }

    @Test("visits in household order or not, the index by household holds every visit, as the table does")
    func householdIndexEitherOrder() async throws {
        // In order throughout; out of order from the second household (before any row is
        // written); and from the fifth, after two batches went in with the index kept.
        for order in [["H1", "H2", "H3", "H5", "H7"], ["H3", "H1", "H7", "H2", "H5"], ["H1", "H2", "H3", "H7", "H5"]] {
            let database = try AppDatabase.inMemory(clock: .fixed(testNow))
            let seeds = try SeedDirectory(smallCounty(replacing: "visits.csv", with: visitRows(households: order, perHousehold: 3_000)))
            _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
            let indexes = try await indexNames(database, on: "visits")
            #expect(indexes == ["visits_household", "visits_id"])
            let key = "household_code || ' ' || outcome || ' ' || visited_on || ' ' || hex(id)"
            let indexed = try await database.read { try String.fetchAll($0, sql: "SELECT \(key) FROM visits INDEXED BY visits_household WHERE household_code > '' ORDER BY household_code, outcome, visited_on, id") }
            let stored = try await database.read { try String.fetchAll($0, sql: "SELECT \(key) FROM visits NOT INDEXED ORDER BY household_code, outcome, visited_on, id") }
            #expect(indexed.count == 15_000)
            #expect(indexed == stored)
            let integrity = try await database.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
            #expect(integrity == ["ok"])
            // Every household's latest met visit: the 3,000th day's, whose index % 3 is 2.
            let lastMet = try await database.read { try String.fetchAll($0, sql: "SELECT code || ' ' || IFNULL(last_met_on, '-') FROM households ORDER BY code") }
            #expect(lastMet == ["H1 1998-03-19", "H2 1998-03-19", "H3 1998-03-19", "H4 -", "H5 1998-03-19", "H6 -", "H7 1998-03-19", "H8 -"])
        }
    }

    @Test("a first import without visits, or with no households, still builds the households' index on due dates")
    func dueIndexWithoutVisits() async throws {
        var withoutVisits = smallCounty
        withoutVisits["visits.csv"] = nil
        var noHouseholds = smallCounty(replacing: "households.csv", with: "")
        noHouseholds["visits.csv"] = nil
        for (files, households) in [(withoutVisits, 8), (noHouseholds, 0)] {
            let database = try AppDatabase.inMemory(clock: .fixed(testNow))
            let seeds = try SeedDirectory(files)
            _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
            let householdIndexes = try await indexNames(database, on: "households")
            #expect(householdIndexes == ["households_block", "households_grid_due"])
            let indexed = try await database.read { try String.fetchAll($0, sql: "SELECT code || ' ' || due_on FROM households INDEXED BY households_grid_due WHERE grid_code IS NOT NULL ORDER BY code") }
            let stored = try await database.read { try String.fetchAll($0, sql: "SELECT code || ' ' || due_on FROM households NOT INDEXED ORDER BY code") }
            #expect(indexed == stored)
            #expect(stored.count == households)
        }
    }

    @Test("CHECK constraints, off while the visits load, are on again after an import that succeeded or failed")
    func checksBackOn() async throws {
        for bad in [Set<Int>(), [9_000]] {
            let database = try AppDatabase.inMemory(clock: .fixed(testNow))
            let seeds = try SeedDirectory(smallCounty(replacing: "visits.csv", with: visitRows(10_000, badAt: bad)))
            _ = try? await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
            #expect(try await database.read { try Bool.fetchOne($0, sql: "PRAGMA ignore_check_constraints") } == false)
            let error = await #expect(throws: DatabaseError.self) {
                try await database.write { db in
                    try db.execute(sql: """
                        INSERT INTO visits (id, household_code, visitor_id, visited_at, visited_on, method, outcome)
                        VALUES (x'00', 'H1', 'P1', '2026-06-01T10:00:00+08:00', '2026-06-01', 'door', 'met')
                        """)
                }
            }
            #expect(error?.resultCode == .SQLITE_CONSTRAINT)
            #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM visits WHERE length(id) <> 16") } == 0)
        }
    }

    @Test("bad rows deep in a large file: every one reported, nothing written")
    func badRowsDeepInFile() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let empty = try await tableCounts(database)
        let seeds = try SeedDirectory(smallCounty(replacing: "visits.csv", with: visitRows(10_000, badAt: [5_000, 9_998])))
        let failure = try await #require(throws: ImportFailure.self) {
            try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        }
        #expect(failure.problems.map(\.description) == [
            "visits.csv:5002: household_code: unknown household NOPE",
            "visits.csv:10000: household_code: unknown household NOPE",
        ])
        #expect(try await tableCounts(database) == empty)
        // The visits table keeps its indexes after the rollback.
        let indexes = try await indexNames(database, on: "visits")
        #expect(indexes == ["visits_household", "visits_id"])
    }

    @Test("more than 50 bad visits stop the reader at 50")
    func problemLimitInVisits() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory(smallCounty(replacing: "visits.csv", with: visitRows(10_000, badAt: Set(stride(from: 100, to: 9_000, by: 50)))))
        let failure = try await #require(throws: ImportFailure.self) {
            try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        }
        #expect(failure.problems.count == 50)
        #expect(failure.problems.last?.description == "visits.csv:2552: household_code: unknown household NOPE")
        #expect(failure.truncated)
        #expect(try await tableCounts(database)["visits"] == 0)
    }

    @Test("a second import of the same visits goes through the upsert path and changes nothing")
    func reimportLarge() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory(smallCounty(replacing: "visits.csv", with: visitRows(5_000)))
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        let second = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(!second.changedAnything)
        #expect(try await tableCounts(database)["visits"] == 5_000)
    }
}

@Suite("The demo county")
struct DemoSeedTests {
    @Test("Seeds/demo imports cleanly and its county coverage is as committed")
    func demoCounty() async throws {
        let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Seeds/demo").standardizedFileURL
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let summary = try await database.importSeeds(from: seeds, options: ImportOptions(now: testNow))
        #expect(summary.files.map { "\($0.file) \($0.rows)" } == [
            "holidays.csv 39", "categories.csv 12", "units.csv 500", "people.csv 777", "duties.csv 661", "party_groups.csv 87",
            "households.csv 8000", "visits.csv 69932",
        ])
        let asOf = try #require(try await database.latestVisitDate())
        let report = try await database.coverageReport(asOf: asOf)
        #expect(asOf.description == "2026-11-20")
        #expect(report.rows.map { "\($0.name) \($0.counts.covered)/\($0.counts.households) \($0.counts.coverage ?? -1)" } == [
            "鲁北镇 1489/1644 90.6", "巴彦塔拉苏木 494/654 75.5", "黄花山镇 1812/1985 91.3", "前进街道 3394/3717 91.3",
        ])
        #expect(report.total.covered == 7189)
        #expect(report.total.overdue == 805)
        #expect(report.total.neverVisited == 6)
    }
}
