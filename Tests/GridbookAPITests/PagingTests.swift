import Foundation
import GridbookAPI
@testable import GridbookCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Lists page in SQL")
struct PagingTests {
    /// Every item of a list, walked a page of `limit` at a time by its cursors.
    func walk(_ client: some TestClientProtocol, _ path: String, _ token: String, key: String = "id", limit: Int = 1) async throws -> [String] {
        var items: [String] = []
        var after: String?
        for _ in 0..<100 {
            let cursor = after.map { "&after=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
            let reply = try await client.call(.get, "\(path)&limit=\(limit)\(cursor)", token)
            #expect(reply.status == .ok, "\(path)")
            items += reply.items(key)
            guard let next = reply["next"] as? String else { return items }
            after = next
        }
        Issue.record("\(path) did not end")
        return items
    }

    @Test("risks, cases, households, visits and the due list walked a page at a time give every item once, in list order")
    func walks() async throws {
        let (database, tokens) = try await apiDatabase()
        let admin = tokens["P9"]!
        // Given risks of every level (filed out of order), cases and visits.
        for (index, level) in [RiskLevel.blue, .red, .yellow, .red, .orange].enumerated() {
            _ = try await database.addRisk(NewRisk(unitCode: index % 2 == 0 ? "G1" : "G2", category: "land", level: level,
                                                   title: "第\(index)", source: .patrol), by: .person("P9"))
        }
        for title in ["甲", "乙", "丙"] {
            _ = try await database.fileCase(NewCase(title: title, category: "land", unitCode: "V1", source: .walkIn), by: .person("P9"))
        }
        for (index, household) in ["H1", "H3", "H1"].enumerated() {
            _ = try await database.logVisit(NewVisit(id: visitId(index + 1), householdCode: household, visitorId: "P1",
                                                     visitedAt: "2026-06-2\(index + 1)T09:00:00+08:00", method: .door, outcome: .met),
                                            by: .person("P1"))
        }
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            #expect(try await walk(client, "/api/v1/risks?unit=C", admin)
                    == ["R2026-000002", "R2026-000004", "R2026-000005", "R2026-000003", "R2026-000001"])
            #expect(try await walk(client, "/api/v1/cases?unit=C", admin) == ["2026-000001", "2026-000002", "2026-000003"])
            #expect(try await walk(client, "/api/v1/units/C/households?on=2026-06-30", admin, key: "code") == ["H1", "H2", "H3"])
            #expect(try await walk(client, "/api/v1/visits?unit=C", admin).count == 3)
            #expect(try await walk(client, "/api/v1/due?unit=C&on=2026-06-30&horizon=3650", admin, key: "household_code", limit: 2)
                    == ["H2", "H3", "H1"])
        }
    }

    @Test("a malformed cursor is 400 naming after, on every list", arguments: [
        "/api/v1/risks?unit=C&after=nonsense", "/api/v1/risks?unit=C&after=0%7Cnot-a-date%7CR1",
        "/api/v1/cases?unit=C&after=%09", "/api/v1/cases?unit=C&after=", "/api/v1/units/C/households?after=%20H1",
        "/api/v1/visits?unit=C&after=nonsense", "/api/v1/due?unit=C&after=2026-13-01%7CH1", "/api/v1/events?after=x",
        // A cursor of the right shape that names nothing of the list, or another list's cursor.
        "/api/v1/units/C/households?after=garbage", "/api/v1/units/C/households?after=2026-000001",
        "/api/v1/units/C/households?after=2026-06-30%7CH1", "/api/v1/cases?unit=C&after=garbage", "/api/v1/cases?unit=C&after=H1",
        "/api/v1/cases?unit=C&after=R2026-000001", "/api/v1/due?unit=C&after=2026-06-30%7Cgarbage",
        "/api/v1/due?unit=C&after=2026-06-21%7CH1%7C2026-06-21T09:00:00%2B08:00%7Caaaaaaaa-0000-4000-8000-000000000001",
    ])
    func badCursors(uri: String) async throws {
        let (database, tokens) = try await apiDatabase()
        // A case, so that a case's id is a cursor of the cases list and of no other.
        _ = try await database.fileCase(NewCase(title: "甲", category: "land", unitCode: "V1", source: .walkIn), by: .person("P9"))
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            let reply = try await client.call(.get, uri, tokens["P9"]!)
            #expect(reply.status == .badRequest, "\(uri)")
            #expect(reply.errorField == "after", "\(uri)")
        }
    }

    @Test("a cursor naming a record outside the list (another grid's household, another township's case) is refused as one naming nothing")
    func cursorsOutsideTheList() async throws {
        let (database, tokens) = try await apiDatabase()
        // A case in T2 (V2), outside T1's staff member P3.
        _ = try await database.fileCase(NewCase(title: "乙", category: "land", unitCode: "V2", source: .walkIn), by: .person("P9"))
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            // P1 (grid G1) asks with H2's code (grid G2) and with a code nobody has: the same answer.
            var bodies: [String] = []
            for uri in ["/api/v1/units/G1/households?after=H2", "/api/v1/units/G1/households?after=H9",
                        "/api/v1/due?unit=G1&after=2026-06-30%7CH2", "/api/v1/due?unit=G1&after=2026-06-30%7CH9"] {
                let reply = try await client.call(.get, uri, tokens["P1"]!)
                #expect(reply.status == .badRequest, "\(uri)")
                #expect(reply.errorField == "after", "\(uri)")
                bodies.append(reply.text.replacingOccurrences(of: "H2", with: "H9"))
            }
            #expect(bodies[0] == bodies[1])
            #expect(bodies[2] == bodies[3])
            // P3 (township T1) asks its cases list with T2's case id and with an id nobody has.
            let outside = try await client.call(.get, "/api/v1/cases?unit=T1&after=2026-000001", tokens["P3"]!)
            let nowhere = try await client.call(.get, "/api/v1/cases?unit=T1&after=2026-000009", tokens["P3"]!)
            #expect(outside.status == .badRequest)
            #expect(outside.text.replacingOccurrences(of: "2026-000001", with: "2026-000009") == nowhere.text)
        }
    }

    @Test("a list's own cursor is taken: a household's code on the households list, a case's id on the cases list")
    func ownCursors() async throws {
        let (database, tokens) = try await apiDatabase()
        for title in ["甲", "乙"] {
            _ = try await database.fileCase(NewCase(title: title, category: "land", unitCode: "V1", source: .walkIn), by: .person("P9"))
        }
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            let admin = tokens["P9"]!
            #expect(try await client.call(.get, "/api/v1/units/C/households?on=2026-06-30&after=H1", admin).items("code") == ["H2", "H3"])
            #expect(try await client.call(.get, "/api/v1/cases?unit=C&after=2026-000001", admin).items() == ["2026-000002"])
            #expect(try await client.call(.get, "/api/v1/cases?unit=C&after=2026-000002", admin).items() == [])
            #expect(try await client.call(.get, "/api/v1/due?unit=C&on=2026-06-30&horizon=3650&after=2025-01-01%7CH1", admin).status == .ok)
        }
    }
}
