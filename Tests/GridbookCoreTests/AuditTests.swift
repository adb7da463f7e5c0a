import Foundation
import GRDB
import Testing
@testable import GridbookCore

@Suite("The audit log and the change feed")
struct AuditTests {
    @Test("an import is one audit entry; a second import that changes nothing adds none")
    func importEntry() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory(smallCounty)
        var options = ImportOptions(now: testNow)
        options.actor = .commandLine(user: "wang")
        _ = try await database.importSeeds(from: seeds.url, options: options)
        _ = try await database.importSeeds(from: seeds.url, options: options)
        let entries = try await database.auditEntries()
        #expect(entries.map { "\($0.at) \($0.actor) \($0.action) \($0.recordType)" } == ["2026-12-01T00:00:00Z cli:wang import seed_directory"])
        #expect(entries.first?.detail.hasPrefix("categories.csv: 2 rows, 2 added, 0 updated; units.csv: 9 rows, 9 added") == true)
    }

    @Test("a logged visit writes an audit entry and a visit.logged event; a retry writes neither again")
    func visitEntries() async throws {
        let database = try await smallCountyDatabase()
        let new = NewVisit(id: "aaaaaaaa-0000-4000-8000-000000000001", householdCode: "H3", visitorId: "P1",
                           visitedAt: "2026-06-30T09:00:00+08:00", method: .door, outcome: .met)
        _ = try await database.logVisit(new, by: .person("P1"), now: testNow)
        _ = try await database.logVisit(new, by: .person("P1"), now: testNow)
        #expect(try await database.auditEntries(actor: "P1").map { "\($0.action) \($0.recordId) \($0.detail)" } == [
            "visit.log aaaaaaaa-0000-4000-8000-000000000001 H3 met",
        ])
        let events = try await database.events()
        #expect(events.map { "\($0.seq ?? 0) \($0.type) \($0.recordId)" } == ["1 visit.logged aaaaaaaa-0000-4000-8000-000000000001"])
        #expect(events.first?.data.contains("\"household_code\":\"H3\"") == true)
        #expect(try await database.events(after: 1) == [])
    }

    @Test("a refused write leaves no audit entry and no event behind")
    func failedWrites() async throws {
        let database = try await smallCountyDatabase()
        let before = try await database.auditEntries().count
        await #expect(throws: GridbookError.self) {
            try await database.logVisit(NewVisit(householdCode: "H3", visitorId: "P2", visitedAt: "2026-06-30T09:00:00+08:00",
                                           method: .door, outcome: .met), by: .person("P2"), now: testNow)
        }
        await #expect(throws: GridbookError.self) { try await database.moveUnit(code: "G1", to: "T2", by: .person("P1")) }
        #expect(try await importProblems(database, smallCounty(appending: "X,坏,village,T9\n", to: "units.csv")) == [
            "units.csv:11: parent_code: unknown parent T9",
        ])
        #expect(try await database.auditEntries().count == before)
        #expect(try await database.events() == [])
    }

    @Test("moves, added units and time zone changes are audited, filtered by actor and date")
    func otherWrites() async throws {
        let database = try await smallCountyDatabase()
        try await database.addUnit(Unit(code: "G4", name: "第四网格", level: .grid, parentCode: "V2"), by: .person("P9"))
        _ = try await database.moveUnit(code: "G4", to: "V1", by: .person("P9"))
        try await database.setTimeZone("Asia/Urumqi", by: .commandLine(user: "li"))
        #expect(try await database.auditEntries(actor: "P9").map { "\($0.action) \($0.recordId) \($0.detail)" } == [
            "unit.add G4 grid 第四网格 under V2", "unit.move G4 from V2 to V1",
        ])
        #expect(try await database.auditEntries(actor: "cli:li").map(\.detail) == ["Asia/Urumqi"])
        #expect(try await database.auditEntries(since: Date(timeIntervalSince1970: 4_102_444_800)) == [])
    }
}
