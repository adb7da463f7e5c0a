import Foundation
import GridbookAPI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Testing

/// Imports more seed rows into a test database (rows already there are kept).
func importMore(_ database: AppDatabase, _ files: [String: String]) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-more-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for (name, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
    _ = try await database.importSeeds(from: directory)
}

@Suite("Blocks, the feed's scope and odd codes")
struct BlockAndFeedScopeTests {
    @Test("a block head logs visits and reports risks in their block, and sees nothing else of the grid")
    func blockHead() async throws {
        let (database, _) = try await apiDatabase()
        try await importMore(database, [
            "units.csv": "code,name,level,parent_code\nB1,一组,block,G1\n",
            "people.csv": "id,name,phone,id_number\nP5,孙组长,,\n",
            "duties.csv": "person_id,role,unit_code,since,until\nP5,block_head,B1,2025-01-01,\n",
            "households.csv": "code,grid_code,block_code,registered_on\nH4,G1,B1,2025-01-01\n",
        ])
        let head = try await database.issueToken(person: "P5").token
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            #expect(try await client.call(.post, "/api/v1/visits", head, visitBody(1, household: "H4")).status == .created)
            #expect(try await client.call(.get, "/api/v1/households/H4", head).status == .ok)
            let risk = #"{"household_code": "H4", "category": "land", "level": "yellow", "title": "地界", "source": "patrol"}"#
            #expect(try await client.call(.post, "/api/v1/risks", head, risk).status == .created)
            #expect(try await client.call(.get, "/api/v1/risks/R2026-000001", head).status == .ok)
            #expect(try await client.call(.patch, "/api/v1/risks/R2026-000001", head, #"{"status": "monitoring"}"#).status == .ok)
            #expect(try await client.call(.get, "/api/v1/risks?unit=B1", head).items() == ["R2026-000001"])
            #expect(try await client.call(.get, "/api/v1/households/H1", head).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/visits", head, visitBody(2, household: "H1")).status == .forbidden)
        }
        #expect(try await database.visits(under: "C").items.map(\.householdCode) == ["H4"])
    }

    @Test("the feed shows township staff their township's events only; county admins see all")
    func feedScope() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            #expect(try await client.call(.post, "/api/v1/visits", tokens["P1"]!, visitBody(1, household: "H1")).status == .created)
            #expect(try await client.call(.post, "/api/v1/visits", tokens["P2"]!, visitBody(2, household: "H2")).status == .created)
            let dispute = #"{"title": "噪音", "category": "neighbour", "unit_code": "V2", "source": "walk_in"}"#
            #expect(try await client.call(.post, "/api/v1/cases", tokens["P9"]!, dispute).status == .created)
            let township = try await client.call(.get, "/api/v1/events?after=0", tokens["P3"]!)
            #expect(township.items("id") == [visitId(1)])
            #expect(!township.text.contains("H2") && !township.text.contains("噪音"))
            let county = try await client.call(.get, "/api/v1/events?after=0", tokens["P9"]!)
            #expect(county.items("type") == ["visit.logged", "visit.logged", "case.created"])
            // Events follow their records: once G2 moves into T1, its visit is T1's to see.
            _ = try await database.moveUnit(code: "G2", to: "V1")
            #expect(try await client.call(.get, "/api/v1/events?after=0", tokens["P3"]!).items("id") == [visitId(1), visitId(2)])
        }
    }

    @Test("visits of a household whose code holds a | come one per page, each once")
    func barInCode() async throws {
        let (database, tokens) = try await apiDatabase()
        try await importMore(database, ["households.csv": "code,grid_code,registered_on\nH|1,G1,2025-01-01\n"])
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            for n in 1...3 {
                let body = visitBody(n, household: "H|1", at: "2026-06-01T0\(n):00:00+08:00")
                #expect(try await client.call(.post, "/api/v1/visits", tokens["P1"]!, body).status == .created)
            }
            var seen: [String] = []
            var after: String? = nil
            for _ in 0..<5 {
                let cursor = after.map { "&after=" + $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! } ?? ""
                let page = try await client.call(.get, "/api/v1/visits?unit=G1&limit=1" + cursor, tokens["P1"]!)
                seen += page.items()
                guard let next = page["next"] as? String else { break }
                after = next
            }
            #expect(seen == [visitId(1), visitId(2), visitId(3)])
        }
    }
}
