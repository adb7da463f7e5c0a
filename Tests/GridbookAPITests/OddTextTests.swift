import Foundation
import GRDB
import GridbookAPI
@testable import GridbookCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Odd text in names and long-running ids")
struct OddTextTests {
    static let oddName = "网格\"引号\"\\反斜杠\t制表'单引号'"

    @Test("a risk and a case on a unit whose name holds quotes, backslashes and tabs: every list and report reads back")
    func oddUnitName() async throws {
        let (database, tokens) = try await apiDatabase()
        try await database.addUnit(Unit(code: "G\"3\\", name: Self.oddName, level: .grid, parentCode: "V1"))
        try await importMore(database, ["households.csv": "code,grid_code,registered_on\n\"H\"\"4\",\"G\"\"3\\\",2025-01-01\n"])
        let risk = try await database.addRisk(NewRisk(unitCode: "G\"3\\", category: "land", level: .red, title: "地界\t\"争议\"", source: .patrol),
                                        by: .person("P9"))
        _ = try await database.promoteRisk(id: risk.id, by: .person("P9"))
        let june30 = LocalDate("2026-06-30")!
        #expect(try await database.risks(RiskFilter(unitCode: "C")).items.map(\.id) == [risk.id])
        #expect(try await database.risks(RiskFilter(unitCode: "G\"3\\")).items.map(\.id) == [risk.id])
        #expect(try await database.cases(under: "V1").items.map(\.unitCode) == ["G\"3\\"])
        #expect(try await database.coverageReport(unitCode: "V1", asOf: june30).rows.map(\.name).contains(Self.oddName))
        #expect(try await database.dueList(unitCode: "C", on: june30).map(\.householdCode).contains("H\"4"))
        #expect(try await database.events(after: 0, under: ["V1"]).map(\.type) == ["risk.created", "case.created", "risk.promoted"])
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            for uri in ["/api/v1/risks?unit=C", "/api/v1/cases?unit=C", "/api/v1/reports/coverage?unit=V1&as_of=2026-06-30",
                        "/api/v1/reports/coverage?unit=V1&as_of=2026-06-30&format=csv", "/api/v1/reports/coverage?unit=V1&as_of=2026-06-30&format=html",
                        "/api/v1/reports/pairing?unit=C", "/api/v1/reports/cases?unit=C&from=2026-01-01&to=2026-12-31",
                        "/api/v1/due?unit=C&on=2026-06-30", "/api/v1/units/V1", "/api/v1/units/V1/households", "/api/v1/events?after=0",
                        "/api/v1/visits?unit=C"] {
                let reply = try await client.call(.get, uri, tokens["P9"]!)
                #expect(reply.status == .ok, "\(uri)")
            }
            let coverage = try await client.call(.get, "/api/v1/reports/coverage?unit=V1&as_of=2026-06-30", tokens["P9"]!)
            #expect(coverage.text.contains(#""name" : "网格\"引号\"\\反斜杠\t制表'单引号'""#))
        }
    }

    @Test("a NUL character in a body's text is 400 naming its field, and nothing is written; a backslash and u0000 as text is kept")
    func nulInBody() async throws {
        let (database, tokens) = try await apiDatabase()
        let counts = { @Sendable () async throws -> [Int] in
            try await database.read { db in
                try ["cases", "risks", "visits"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1 }
            }
        }
        let before = try await counts()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            let member = tokens["P1"]!, staff = tokens["P3"]!
            let dispute = try await client.call(.post, "/api/v1/cases", staff,
                                                #"{"title": "a\u0000s", "category": "neighbour", "unit_code": "G1", "source": "walk_in"}"#)
            #expect(dispute.status == .badRequest)
            #expect(dispute.errorField == "title")
            let visit = try await client.call(.post, "/api/v1/visits", member, """
                {"id": "00000000-0000-4000-8000-0000000000a1", "household_code": "H1", "visited_at": "2026-06-30T09:00:00+08:00",
                 "method": "door", "outcome": "met", "findings": [{"category": "fraud", "level": "red", "title": "冒充\\u0000客服"}]}
                """)
            #expect(visit.status == .badRequest)
            #expect(visit.errorField == "title")
            let key = try await client.call(.post, "/api/v1/cases", staff,
                                            #"{"title": "t", "category": "neighbour", "unit_code": "G1", "source": "walk_in", "\u0000": 1}"#)
            #expect(key.errorField == "body")
            #expect(try await counts() == before)
            // An escaped backslash before u0000 is text, not a NUL.
            let literal = try await client.call(.post, "/api/v1/cases", staff,
                                                #"{"title": "a\\u0000", "category": "neighbour", "unit_code": "G1", "source": "walk_in"}"#)
            #expect(literal.status == .created)
            // Nor in an address: G1%00X is not G1.
            #expect(try await client.call(.get, "/api/v1/units/G1%00X", member).status == .notFound)
            for (uri, field) in [("/api/v1/due?unit=G1%00X", "unit"), ("/api/v1/units/G1/households?limit=5&after=%00", "after"),
                                 // Bytes that are not UTF-8 (%FF; 张 in GB18030, D5 C5) are refused, not read as U+FFFD.
                                 ("/api/v1/due?unit=G1&on=%FF", "on"), ("/api/v1/risks?unit=%D5%C5", "unit")] {
                let reply = try await client.call(.get, uri, member)
                #expect(reply.status == .badRequest, "\(uri)")
                #expect(reply.errorField == field, "\(uri)")
            }
        }
        #expect(try await database.read { try String.fetchAll($0, sql: "SELECT title FROM cases") } == [#"a\u0000"#])
    }

    @Test("risk and case numbers count on past 999,999 in a year (by number, not as text)")
    func idsPastAMillion() async throws {
        let (database, _) = try await apiDatabase()
        let first = try await database.addRisk(NewRisk(unitCode: "G1", category: "land", level: .blue, title: "一", source: .patrol), by: .person("P9"))
        #expect(first.id == "R2026-000001")
        try await database.write { try $0.execute(sql: "UPDATE risks SET id = 'R2026-999999'") }
        let next = try await database.addRisk(NewRisk(unitCode: "G1", category: "land", level: .blue, title: "二", source: .patrol), by: .person("P9"))
        let after = try await database.addRisk(NewRisk(unitCode: "G1", category: "land", level: .blue, title: "三", source: .patrol), by: .person("P9"))
        #expect([next.id, after.id] == ["R2026-1000000", "R2026-1000001"])

        let dispute = try await database.fileCase(NewCase(title: "一", category: "land", unitCode: "V1", source: .walkIn), by: .person("P9"))
        #expect(dispute.id == "2026-000001")
        try await database.write { db in
            var copy = dispute
            copy.id = "2026-999999"
            try copy.insert(db)
        }
        var ids: [String] = []
        for _ in 0..<2 {
            ids.append(try await database.fileCase(NewCase(title: "二", category: "land", unitCode: "V1", source: .walkIn), by: .person("P9")).id)
        }
        #expect(ids == ["2026-1000000", "2026-1000001"])
    }

    @Test("ids take the year of the database's clock, not the machine's")
    func idsFollowTheClock() async throws {
        let (database, _) = try await apiDatabase()
        let later = try AppDatabase(database.writer, clock: .fixed(Date(timeIntervalSince1970: 1_830_297_600))) // 2028-01-01T00:00Z
        let risk = try await later.addRisk(NewRisk(unitCode: "G1", category: "land", level: .blue, title: "一", source: .patrol), by: .person("P9"))
        #expect(risk.id == "R2028-000001")
        #expect(risk.reportedAt == "2028-01-01T00:00:00Z")
    }
}

@Suite("Bad codes over the API")
struct BadCodeAPITests {
    @Test("a body naming a code with a control character, outer spaces or 65 characters is 400 naming the field; nothing is written",
          arguments: [
              ("/api/v1/risks", #"{"unit_code": "G\t1", "category": "land", "level": "red", "title": "x", "source": "patrol"}"#, "unit_code"),
              ("/api/v1/risks", #"{"household_code": " H1", "category": "land", "level": "red", "title": "x", "source": "patrol"}"#, "household_code"),
              ("/api/v1/cases", #"{"unit_code": "V1\n", "category": "land", "title": "x", "source": "walk_in"}"#, "unit_code"),
              ("/api/v1/visits", #"{"household_code": "\#(String(repeating: "H", count: 65))", "visited_at": "2026-06-30T09:00:00+08:00", "method": "door", "outcome": "met"}"#, "household_code"),
          ])
    func refused(path: String, body: String, field: String) async throws {
        let (database, tokens) = try await apiDatabase()
        let before = try await database.read { db in
            try ["risks", "cases", "visits", "events"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1 }
        }
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            let reply = try await client.call(.post, path, tokens["P9"]!, body)
            #expect(reply.status == .badRequest)
            #expect(reply.errorField == field)
        }
        #expect(try await database.read { db in
            try ["risks", "cases", "visits", "events"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1 }
        } == before)
    }
}
