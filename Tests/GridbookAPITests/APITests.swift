import Foundation
import GRDB
import GridbookAPI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The API tests' "now": 2026-12-01T00:00:00Z, after every date they use.
let apiNow = Date(timeIntervalSince1970: 1_796_083_200)

/// A county with two grids in two townships: P1 is grid member of G1, P2 of G2, P3 township
/// staff of T1, P9 county admin. H1 and H3 are in G1, H2 in G2.
/// With `file`, the database is a WAL file at that path with a reader pool, as `gridbook serve`
/// opens it; otherwise in memory.
///
/// With `configuration`, the database is in memory with those settings (a test that traces statements).
func apiDatabase(file: String? = nil, configuration: Configuration? = nil) async throws -> (AppDatabase, tokens: [String: String]) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-api-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let files = [
        "units.csv": "code,name,level,parent_code\nC,县,county,\nT1,甲镇,township,C\nT2,乙镇,township,C\nV1,一村,village,T1\nV2,二村,village,T2\nG1,一网格,grid,V1\nG2,二网格,grid,V2\n",
        "people.csv": "id,name,phone,id_number\nP1,张伟,13812341234,\nP2,李娜,,\nP3,赵镇干,,\nP9,王旗长,,\n",
        "duties.csv": "person_id,role,unit_code,since,until\nP1,grid_member,G1,2025-01-01,\nP2,grid_member,G2,2025-01-01,\nP3,township_staff,T1,2025-01-01,\nP9,county_admin,C,2025-01-01,\n",
        "households.csv": "code,grid_code,phone,registered_on\nH1,G1,13900001111,2025-01-01\nH2,G2,,2025-01-01\nH3,G1,,2025-01-01\n",
    ]
    for (name, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
    let database = try file.map { try AppDatabase.open(path: $0, clock: .fixed(apiNow)) }
        ?? configuration.map { try AppDatabase(DatabaseQueue(configuration: $0), clock: .fixed(apiNow)) }
        ?? AppDatabase.inMemory(clock: .fixed(apiNow))
    _ = try await database.importSeeds(from: directory)
    var tokens: [String: String] = [:]
    for person in ["P1", "P2", "P3", "P9"] { tokens[person] = try await database.issueToken(person: person).token }
    return (database, tokens)
}

/// Tests log warnings only, not a line per request.
let quietLogger: Logger = {
    var logger = Logger(label: "gridbook.test")
    logger.logLevel = .warning
    return logger
}()

func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

func json(_ response: TestResponse) async throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
}

@Suite("The API")
struct APITests {
    @Test("healthz answers without a token; /api/v1 needs one")
    func tokens() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/me", method: .get) { response in
                let body = try await json(response)
                #expect(response.status == .unauthorized)
                #expect(body["error"].flatMap { $0 as? [String: Any] }?["code"] as? String == "unauthorized")
            }
            try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer("gb_nonsense")) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(tokens["P1"]!)) { response in
                #expect(response.status == .ok)
                let me = try await json(response)
                #expect(me["id"] as? String == "P1")
                #expect(me["roles"] as? [String] == ["grid_member"])
            }
        }
        try await database.revokeToken(id: 1)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(tokens["P1"]!)) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("a grid member sees their grid, not the neighbouring one (403), and unknown units are 404")
    func scope() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/units/G1", method: .get, headers: bearer(tokens["P1"]!)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/units/G2", method: .get, headers: bearer(tokens["P1"]!)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/v1/households/H2", method: .get, headers: bearer(tokens["P1"]!)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/v1/reports/coverage?unit=T2", method: .get, headers: bearer(tokens["P1"]!)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/v1/units/NOPE", method: .get, headers: bearer(tokens["P1"]!)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/reports/coverage?unit=C", method: .get, headers: bearer(tokens["P9"]!)) { #expect($0.status == .ok) }
        }
    }

    @Test("households are masked")
    func masking() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/households/H1", method: .get, headers: bearer(tokens["P1"]!)) { response in
                let body = try await json(response)
                #expect(body["phone"] as? String == "139****1111")
                #expect(!String(buffer: response.body).contains("13900001111"))
            }
        }
    }

    @Test("reveal=true shows a phone in full to a county admin and is audited; others get 403")
    func reveal() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/households/H1?reveal=true", method: .get, headers: bearer(tokens["P1"]!)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/v1/households/H1?reveal=yes", method: .get, headers: bearer(tokens["P9"]!)) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/households/H1?reveal=true", method: .get, headers: bearer(tokens["P9"]!)) { response in
                let body = try await json(response)
                #expect(body["phone"] as? String == "13900001111")
            }
            try await client.execute(uri: "/api/v1/units/G1/households?reveal=true", method: .get, headers: bearer(tokens["P1"]!)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/units/G1/households?reveal=true", method: .get, headers: bearer(tokens["P9"]!)) { response in
                let body = try await json(response)
                #expect((body["items"] as? [[String: Any]])?.first?["phone"] as? String == "13900001111")
            }
        }
        #expect(try await database.auditEntries(actor: "P9").map { "\($0.action) \($0.recordType) \($0.recordId) \($0.detail)" } == [
            "personal_data.reveal household H1 phone", "personal_data.reveal unit G1 phones of 2 households",
        ])
        #expect(try await database.auditEntries(actor: "P1").isEmpty)
        // A county admin read a moment ago whose duty has since ended may not reveal: the role is
        // checked again in the transaction, and nothing is audited.
        let admin = try #require(try await database.authenticate(token: tokens["P9"]!))
        try await database.write { try $0.execute(sql: "UPDATE duties SET until = '2026-11-01' WHERE person_id = 'P9'") }
        await #expect(throws: GridbookError.notAllowed("only county admins may reveal personal data")) {
            try await database.household(code: "H1", revealTo: admin)
        }
        #expect(try await database.auditEntries(actor: "P9").count == 2)
    }

    @Test("a visit is 201 first, 200 when sent again, 409 with other content; bad bodies are 400 naming the field; big ones 413")
    func visits() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let visit = #"{"id": "aaaaaaaa-0000-4000-8000-000000000001", "household_code": "H1", "visited_at": "2026-06-30T09:00:00+08:00", "method": "door", "outcome": "met"}"#
        try await app.test(.router) { client in
            let headers = bearer(tokens["P1"]!)
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: headers, body: ByteBuffer(string: visit)) { response in
                let body = try await json(response)
                #expect(response.status == .created)
                #expect(body["visitor_id"] as? String == "P1")
            }
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: headers, body: ByteBuffer(string: visit)) { #expect($0.status == .ok) }
            let other = visit.replacingOccurrences(of: "\"met\"", with: "\"absent\"")
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: headers, body: ByteBuffer(string: other)) { #expect($0.status == .conflict) }
            let badEnum = visit.replacingOccurrences(of: "\"door\"", with: "\"walk\"")
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: headers, body: ByteBuffer(string: badEnum)) { response in
                #expect(response.status == .badRequest)
                let details = try await json(response)["error"].flatMap { $0 as? [String: Any] }?["details"] as? [[String: String]]
                #expect(details?.first?["field"] == "method")
            }
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: headers, body: ByteBuffer(string: "{not json")) { #expect($0.status == .badRequest) }
            let future = visit.replacingOccurrences(of: "2026-06-30", with: "2099-06-30").replacingOccurrences(of: "0001\"", with: "0002\"")
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: headers, body: ByteBuffer(string: future)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("is in the future"))
            }
            let big = ByteBuffer(string: "{\"note\": \"" + String(repeating: "x", count: 1_100_000) + "\"}")
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: headers, body: big) { #expect($0.status == .contentTooLarge) }
            let neighbour = visit.replacingOccurrences(of: "\"H1\"", with: "\"H2\"").replacingOccurrences(of: "0001\"", with: "0003\"")
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: headers, body: ByteBuffer(string: neighbour)) { #expect($0.status == .forbidden) }
        }
        #expect(try await database.visits(under: "C").items.count == 1)
    }

    @Test("the due list and coverage answer the CLI's JSON; the feed is for staff")
    func reportsAndFeed() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/due?unit=G1&on=2026-06-30", method: .get, headers: bearer(tokens["P1"]!)) { response in
                let expected = await String(decoding: try JSONOutput.encode(Page(items: try database.dueList(unitCode: "G1", on: LocalDate("2026-06-30")))), as: UTF8.self)
                #expect(String(buffer: response.body) == expected)
            }
            try await client.execute(uri: "/api/v1/reports/coverage?unit=C&as_of=2026-06-30", method: .get, headers: bearer(tokens["P9"]!)) { response in
                let expected = await String(decoding: try JSONOutput.encode(try database.coverageReport(unitCode: "C", asOf: LocalDate("2026-06-30"))), as: UTF8.self)
                #expect(String(buffer: response.body) == expected)
            }
            try await client.execute(uri: "/api/v1/due?unit=G1&on=2026-02-30", method: .get, headers: bearer(tokens["P1"]!)) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/events", method: .get, headers: bearer(tokens["P1"]!)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/v1/events?after=0", method: .get, headers: bearer(tokens["P9"]!)) { response in
                let body = try await json(response)
                #expect(response.status == .ok)
                #expect(body["items"] as? [Any] != nil)
            }
        }
    }
}

@Suite("Risks and cases over the API")
struct RiskCaseAPITests {
    @Test("report a risk, promote it (staff only; again returns the same case), act on the case, read its ledger")
    func flow() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let member = bearer(tokens["P1"]!), admin = bearer(tokens["P9"]!)
            let risk = #"{"household_code": "H1", "category": "land", "level": "orange", "title": "宅基地边界纠纷", "source": "patrol"}"#
            let id = try await client.execute(uri: "/api/v1/risks", method: .post, headers: member, body: ByteBuffer(string: risk)) { response in
                let body = try await json(response)
                #expect(response.status == .created)
                #expect(body["unit_code"] as? String == "G1")
                return body["id"] as? String ?? ""
            }
            let neighbour = risk.replacingOccurrences(of: "H1", with: "H2")
            try await client.execute(uri: "/api/v1/risks", method: .post, headers: member, body: ByteBuffer(string: neighbour)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/v1/risks/\(id)/promote", method: .post, headers: member) { #expect($0.status == .forbidden) }
            let caseId = try await client.execute(uri: "/api/v1/risks/\(id)/promote", method: .post, headers: admin) { response in
                let body = try await json(response)
                #expect(response.status == .created)
                return body["id"] as? String ?? ""
            }
            try await client.execute(uri: "/api/v1/risks/\(id)/promote", method: .post, headers: admin) { response in
                let body = try await json(response)
                #expect(response.status == .ok)
                #expect(body["id"] as? String == caseId)
            }
            let dispatch = #"{"action": "dispatch", "assignee": "一村调委会"}"#
            try await client.execute(uri: "/api/v1/cases/\(caseId)/actions", method: .post, headers: admin, body: ByteBuffer(string: dispatch)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/cases/\(caseId)/actions", method: .post, headers: admin,
                                     body: ByteBuffer(string: #"{"action": "close"}"#)) { #expect($0.status == .conflict) }
            try await client.execute(uri: "/api/v1/cases/\(caseId)/actions", method: .post, headers: admin,
                                     body: ByteBuffer(string: #"{"action": "fly"}"#)) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/cases/\(caseId)", method: .get, headers: admin) { response in
                let body = try await json(response)
                let ledger = body["ledger"] as? [[String: Any]]
                #expect(ledger?.map { $0["action"] as? String ?? "" } == ["accept", "dispatch"])
            }
        }
    }
}
