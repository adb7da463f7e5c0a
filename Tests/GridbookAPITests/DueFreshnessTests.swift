import Foundation
import GridbookCore
import Testing

/// A met visit to H1 on 30 June 2026 by its grid member.
func metVisit(_ n: Int) -> NewVisit {
    NewVisit(id: visitId(n), householdCode: "H1", visitorId: "P1", visitedAt: "2026-06-30T09:00:00+08:00", method: .door, outcome: .met)
}

@Suite("A due list sees every write at once")
struct DueFreshnessTests {
    let june30 = LocalDate("2026-06-30")!

    @Test("in memory (one connection): a visit logged after a due list shows in the next one")
    func oneConnection() async throws {
        let (database, _) = try await apiDatabase()
        #expect(try await database.dueList(unitCode: "G1", on: june30).map(\.householdCode) == ["H1", "H3"])
        #expect(try await database.dueList(unitCode: "G1", on: june30).map(\.householdCode) == ["H1", "H3"])
        _ = try await database.logVisit(metVisit(1), by: .person("P1"))
        #expect(try await database.dueList(unitCode: "G1", on: june30).map(\.householdCode) == ["H3"])
        #expect(try await database.household(code: "H1", on: june30).schedule?.covered == true)
    }

    @Test("a file with a reader pool, written by this process and by another one: each write shows at once")
    func pooledAndOtherProcess() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("api.sqlite").path
        let (server, _) = try await apiDatabase(file: path)
        let other = try AppDatabase.open(path: path, clock: .fixed(apiNow))
        for _ in 0..<3 { #expect(try await server.dueList(unitCode: "G1", on: june30).map(\.householdCode) == ["H1", "H3"]) }
        _ = try await other.logVisit(metVisit(1), by: .person("P1"))
        #expect(try await server.dueList(unitCode: "G1", on: june30).map(\.householdCode) == ["H3"])
        _ = try await other.moveUnit(code: "G1", to: "V2", by: .system)
        #expect(try await server.dueList(unitCode: "V1", on: june30).map(\.householdCode) == [])
        #expect(try await server.dueList(unitCode: "V2", on: june30).map(\.householdCode) == ["H2", "H3"])
        _ = try await server.logVisit(NewVisit(id: visitId(2), householdCode: "H3", visitorId: "P1", visitedAt: "2026-06-30T10:00:00+08:00",
                                         method: .door, outcome: .met), by: .person("P1"))
        #expect(try await server.dueList(unitCode: "V2", on: june30).map(\.householdCode) == ["H2"])
    }
}
