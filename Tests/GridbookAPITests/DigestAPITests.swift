import ArgumentParser
import Foundation
import GridbookAPI
@testable import GridbookCLI
import GridbookCore
import GridbookWeb
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// An instant written in UTC.
private func at(_ text: String) throws -> Date {
    Date(timeIntervalSince1970: TimeInterval(try #require(Timestamp(text)).epochSeconds))
}

/// The API tests' county with a week of work in it (2026-11-23 to 11-29, read on Monday 11-30):
/// a visit, a risk on Friday, a case on Saturday responded to within 10 minutes and dispatched,
/// one on Sunday in T2 not dispatched, and a yellow card.
private func digestDatabase(file: String? = nil) async throws -> (AppDatabase, tokens: [String: String]) {
    let (database, tokens) = try await apiDatabase(file: file)
    _ = try await database.logVisit(NewVisit(id: visitId(1), householdCode: "H1", visitorId: "P1",
                                             visitedAt: "2026-11-24T09:00:00+08:00", method: .door, outcome: .met, note: ""))
    _ = try await database.addRisk(NewRisk(unitCode: "G1", category: "fraud", level: .red, title: "冒充客服电话", source: .visit,
                                           reportedBy: "P1"), now: try at("2026-11-27T02:00:00Z"))
    _ = try await database.fileCase(NewCase(title: "邻里噪音", category: "neighbour", unitCode: "V1", source: .chatGroup,
                                            reportedAt: Timestamp("2026-11-28T01:00:00Z")), by: .person("P3"), now: try at("2026-11-28T01:05:00Z"))
    _ = try await database.act(onCase: "2026-000001", CaseActionInput(.respond, note: "网格员到场"), by: .person("P3"), now: try at("2026-11-28T01:10:00Z"))
    _ = try await database.act(onCase: "2026-000001", CaseActionInput(.dispatch, assignee: "一村调委会"), by: .person("P3"), now: try at("2026-11-28T02:00:00Z"))
    _ = try await database.fileCase(NewCase(title: "土地边界", category: "land", unitCode: "V2", source: .walkIn),
                                    by: .person("P9"), now: try at("2026-11-29T03:00:00Z"))
    try await database.write { db in
        try CaseCard(caseId: "2026-000001", color: .yellow, givenAt: "2026-11-29T01:00:00Z", reason: "test").insert(db)
    }
    return (database, tokens)
}

/// Signs `person` in to the pages with a fresh code; the cookie header to send.
private func signIn(_ client: some TestClientProtocol, _ database: AppDatabase, _ person: String) async throws -> HTTPFields {
    let code = try await database.issueLoginCode(person: person).code
    return try await client.execute(uri: "/auth/login", method: .post, headers: [.contentType: "application/json"],
                                    body: ByteBuffer(string: #"{"person_id": "\#(person)", "code": "\#(code)"}"#)) { response in
        let cookies = response.headers[values: .setCookie]
        let session = try #require(cookies.first { $0.hasPrefix("gb_session=") })
        return [.cookie: String(session.prefix { $0 != ";" })]
    }
}

@Suite("The digest over the API, at the command line and on the desk")
struct DigestAPITests {
    @Test("GET /api/v1/reports/digest answers exactly what gridbook digest --format json prints, for each period")
    func sameJSON() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-digest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("digest.sqlite").path
        let (database, tokens) = try await digestDatabase(file: path)
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            for (period, unit, on) in [("daily", "C", "2026-11-30"), ("weekly", "C", "2026-11-30"), ("monthly", "T1", "2026-12-01"), ("weekly", "T1", "")] {
                let command = try await printed(["digest", period, "--unit", unit, "--db", path, "--format", "json"] + (on.isEmpty ? [] : ["--on", on]))
                let reply = try await client.call(.get, "/api/v1/reports/digest?period=\(period)&unit=\(unit)&on=\(on)", tokens["P9"]!)
                #expect(reply.status == .ok)
                #expect(command == reply.text + "\n", "\(period) \(unit) \(on)")
            }
            // The weekly digest of the county, as JSON: snake_case keys, explicit nulls.
            let weekly = try await client.call(.get, "/api/v1/reports/digest?period=weekly&unit=C&on=2026-11-30", tokens["P9"]!)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(weekly.text.utf8)) as? [String: Any])
            #expect(body["from"] as? String == "2026-11-23" && body["to"] as? String == "2026-11-29")
            let cases = try #require(body["cases"] as? [String: Any])
            #expect(cases["accepted"] as? Int == 2 && cases["dispatched"] as? Int == 1)
            let response = try #require(body["first_response"] as? [String: Any])
            #expect(response["median_seconds"] as? Int == 600 && response["within15_minutes"] as? Double == 50.0)
            #expect(response["responded"] as? Int == 1)
            #expect(body["cards"] as? [String: Int] == ["yellow": 1, "red": 0])
            let visits = try #require(body["visits"] as? [String: Any])
            #expect(visits["met"] as? Int == 1 && visits["due"] as? Int == 3)
            let triage = try #require(body["triage"] as? [String: Any])
            #expect(triage["from"] as? String == "2026-11-27" && triage["as_of"] as? String == "2026-11-30T16:00:00Z")
            // Friday's risk and Sunday's undispatched case; Saturday's case was dispatched.
            #expect((triage["items"] as? [[String: Any]])?.map { $0["id"] as? String } == ["R2026-000001", "2026-000002"])
            let overdue = try #require(body["overdue_by_grid"] as? [[String: Any]])
            #expect(overdue.map { $0["code"] as? String } == ["G1", "G2"])
            #expect(overdue.first?["grid_members"] as? [String] == ["张伟"])
        }
    }

    @Test("township staff, mediators and county admins in scope only; bad period and dates are 400; nothing is written")
    func refusals() async throws {
        let (database, tokens) = try await digestDatabase()
        func written() async throws -> [Int] {
            try await database.read { db in
                try ["audit_log", "events", "case_cards", "case_ledger"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1 }
            }
        }
        let before = try await written()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let cases: [(String, String, HTTPResponse.Status, String?)] = [
                ("P3", "period=weekly&unit=T1&on=2026-11-30", .ok, nil),
                ("P3", "period=weekly&unit=T2&on=2026-11-30", .forbidden, nil),
                ("P3", "period=weekly&unit=C", .forbidden, nil),
                ("P1", "period=daily&unit=G1", .forbidden, nil),
                ("P9", "period=fortnightly&unit=C", .badRequest, "period"),
                ("P9", "unit=C", .badRequest, "period"),
                ("P9", "period=daily", .badRequest, "unit"),
                ("P9", "period=daily&unit=C&on=2026-13-01", .badRequest, "on"),
                ("P9", "period=daily&unit=C&on=2026-12-02", .badRequest, "on"),
                ("P9", "period=daily&unit=NOPE", .notFound, nil),
            ]
            for (person, query, status, field) in cases {
                let reply = try await client.call(.get, "/api/v1/reports/digest?" + query, tokens[person]!)
                #expect(reply.status == status, "\(person) \(query)")
                if let field { #expect(reply.text.contains("\"field\" : \"\(field)\""), "\(query): \(reply.text)") }
            }
        }
        #expect(try await written() == before)
        // At the command line: an unknown period and a bad date are refused before anything is opened.
        #expect(throws: (any Error).self) { try Gridbook.parseAsRoot(["digest", "fortnightly"]) }
        #expect(throws: (any Error).self) { try Gridbook.parseAsRoot(["digest", "daily", "--on", "2026-02-30"]) }
    }

    @Test("the table and the HTML page are in Chinese; the desk page is linked from the navigation and scope-checked")
    func pages() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-digest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("digest.sqlite").path
        let (database, _) = try await digestDatabase(file: path)
        let table = try await printed(["digest", "weekly", "--unit", "C", "--on", "2026-11-30", "--db", path])
        for text in ["县 周报（2026-11-23 至 2026-11-29）", "应访户数", "首次响应", "中位数", "10分钟", "待派单（2026-11-27 至 2026-11-29，截至 2026-12-01 00:00）：2",
                     "R2026-000001", "土地边界", "黄牌"] {
            #expect(table.contains(text), "\(text)")
        }
        let html = try await printed(["digest", "weekly", "--unit", "C", "--on", "2026-11-30", "--db", path, "--format", "html"])
        #expect(html.hasPrefix("<!doctype html>") && html.contains("<style>") && !html.contains("<script") && !html.contains("/static/"))
        #expect(html.contains("县 周报（2026-11-23 至 2026-11-29）") && html.contains(#"<tr data-id="2026-000002">"#))

        let app = Application(router: buildGridbookRouter(database: database, web: WebOptions()), logger: quietLogger)
        try await app.test(.router) { client in
            let staff = try await signIn(client, database, "P3")
            try await client.execute(uri: "/desk/digest?period=weekly&on=2026-11-30", method: .get, headers: staff) { response in
                #expect(response.status == .ok)
                let page = String(buffer: response.body)
                #expect(page.contains(#"id="nav-digest" href="/desk/digest""#))
                #expect(page.contains("甲镇 周报（2026-11-23 至 2026-11-29）"))
                #expect(page.contains(#"<a href="/desk/risks/R2026-000001">R2026-000001</a>"#))
                #expect(!page.contains("土地边界"))
                #expect(!page.contains("<style>"))
            }
            try await client.execute(uri: "/desk/digest?unit=T2", method: .get, headers: staff) { #expect($0.status == .forbidden) }
            let member = try await signIn(client, database, "P1")
            try await client.execute(uri: "/desk/digest", method: .get, headers: member) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/desk/units/G1", method: .get, headers: member) { response in
                #expect(!String(buffer: response.body).contains("nav-digest"))
            }
        }
    }
}
