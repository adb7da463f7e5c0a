import Foundation
import GridbookAPI
import GridbookCore
import Hummingbird
import HummingbirdTesting
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

@Suite("A server's kept due pages never outlive a write")
struct KeptDuePageTests {
    /// The router as `gridbook serve` builds it, with caches that would keep a page a minute.
    func serverApp(_ database: AppDatabase) -> some ApplicationProtocol {
        Application(router: buildRouter(database: database, cacheLifetime: .seconds(60)), logger: quietLogger)
    }

    @Test("a visit logged through the server shows in the next due page at once")
    func ownWrite() async throws {
        let (database, tokens) = try await apiDatabase()
        try await serverApp(database).test(.router) { client async throws in
            for _ in 0..<2 {
                #expect(try await client.call(.get, "/api/v1/due?unit=G1&on=2026-06-30", tokens["P1"]).items("household_code") == ["H1", "H3"])
            }
            let logged = try await client.call(.post, "/api/v1/visits", tokens["P1"], """
                {"id": "\(visitId(1))", "household_code": "H1", "visited_at": "2026-06-30T09:00:00+08:00", "method": "door", "outcome": "met"}
                """)
            #expect(logged.status == .created)
            #expect(try await client.call(.get, "/api/v1/due?unit=G1&on=2026-06-30", tokens["P1"]).items("household_code") == ["H3"])
        }
    }

    @Test("another process's visit shows once the server's watch has noted it")
    func otherProcess() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-kept-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("api.sqlite").path
        let (server, tokens) = try await apiDatabase(file: path)
        let watch = try #require(try server.watchConnection())
        try await server.noteOutsideCommits(using: watch)
        let other = try AppDatabase.open(path: path, clock: .fixed(apiNow))
        try await serverApp(server).test(.router) { client async throws in
            #expect(try await client.call(.get, "/api/v1/due?unit=G1&on=2026-06-30", tokens["P1"]).items("household_code") == ["H1", "H3"])
            _ = try await other.logVisit(metVisit(1), by: .person("P1"))
            // Until the watch looks (every 50 ms in a server), the page kept is answered.
            #expect(try await client.call(.get, "/api/v1/due?unit=G1&on=2026-06-30", tokens["P1"]).items("household_code") == ["H1", "H3"])
            // A client that asks for the list as it is now (Cache-Control: no-cache) reads it.
            let fresh = try await client.execute(uri: "/api/v1/due?unit=G1&on=2026-06-30", method: .get,
                                                 headers: [.authorization: "Bearer \(tokens["P1"]!)", .cacheControl: "no-cache"]) {
                Reply(status: $0.status, text: String(buffer: $0.body))
            }
            #expect(fresh.items("household_code") == ["H3"])
            try await server.noteOutsideCommits(using: watch)
            #expect(try await client.call(.get, "/api/v1/due?unit=G1&on=2026-06-30", tokens["P1"]).items("household_code") == ["H3"])
        }
    }

    @Test("pages differ by unit, date, horizon, limit and cursor; a kept page is still refused outside the caller's units")
    func keys() async throws {
        let (database, tokens) = try await apiDatabase()
        try await serverApp(database).test(.router) { client async throws in
            let admin = tokens["P9"]
            #expect(try await client.call(.get, "/api/v1/due?unit=C&on=2026-06-30", admin).items("household_code") == ["H1", "H2", "H3"])
            #expect(try await client.call(.get, "/api/v1/due?unit=G1&on=2026-06-30", admin).items("household_code") == ["H1", "H3"])
            let first = try await client.call(.get, "/api/v1/due?unit=C&on=2026-06-30&limit=1", admin)
            #expect(first.items("household_code") == ["H1"])
            #expect(first["next"] as? String == "2025-04-01|H1")
            let second = try await client.call(.get, "/api/v1/due?unit=C&on=2026-06-30&limit=1&after=2025-04-01%7CH1", admin)
            #expect(second.items("household_code") == ["H2"])
            #expect(try await client.call(.get, "/api/v1/due?unit=C&on=2025-01-02", admin).items("household_code") == [])
            #expect(try await client.call(.get, "/api/v1/due?unit=C&on=2025-01-02&horizon=365", admin).items("household_code") == ["H1", "H2", "H3"])
            // P2 is G2's grid member: G1's page is kept, and still not theirs.
            let refused = try await client.call(.get, "/api/v1/due?unit=G1&on=2026-06-30", tokens["P2"])
            #expect(refused.status == .forbidden)
        }
    }
}

@Suite("The database's generation")
struct DataGenerationTests {
    @Test("moves with each commit, not with a read or a write that fails")
    func commits() async throws {
        let (database, _) = try await apiDatabase()
        let start = database.generation.current
        _ = try await database.dueList(unitCode: "G1", on: LocalDate("2026-06-30")!)
        #expect(database.generation.current == start)
        _ = try await database.logVisit(metVisit(1), by: .person("P1"))
        #expect(database.generation.current == start + 1)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await database.write { db in
                try db.execute(sql: "UPDATE households SET members = 9 WHERE code = 'H1'")
                throw Refused()
            }
        }
        #expect(database.generation.current == start + 1)
    }
}
