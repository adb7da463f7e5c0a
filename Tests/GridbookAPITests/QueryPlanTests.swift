import Foundation
import GRDB
import GRDBSQLite
import GridbookAPI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// The SQL of every statement a database ran, as prepared (placeholders, not values).
final class StatementLog: Sendable {
    private let statements = Mutex<Set<String>>([])

    func note(_ sql: String) { statements.withLock { _ = $0.insert(sql) } }
    var all: [String] { statements.withLock { $0.sorted() } }
}

@Suite("Every statement on the request path reads by an index")
struct QueryPlanTests {
    /// Tables that grow with the county: a statement may not read any of them whole.
    static let growing: Set<String> = [
        "households", "household_categories", "visits", "audit_log", "events", "risks", "risk_follow_ups",
        "cases", "case_ledger", "tokens", "people", "duties", "units", "party_groups", "party_group_grids", "party_group_members",
    ]

    @Test("a grid member's and a county admin's day over the API: no statement scans a growing table")
    func requestPath() async throws {
        let log = StatementLog()
        var config = AppDatabase.makeConfiguration()
        config.prepareDatabase { db in db.trace(options: .statement) { log.note($0.description) } }
        let (database, tokens) = try await apiDatabase(configuration: config)
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let before = Set(log.all)
        try await app.test(.router) { client async throws in
            let member = tokens["P1"]!, admin = tokens["P9"]!
            for uri in ["/api/v1/me", "/api/v1/units/G1", "/api/v1/units/G1/households", "/api/v1/households/H1",
                        "/api/v1/due?unit=G1", "/api/v1/due?unit=G1&on=2026-06-30", "/api/v1/visits?unit=G1"] {
                let reply = try await client.call(.get, uri, member)
                #expect(reply.status == .ok, "\(uri): \(reply.text)")
            }
            #expect(try await client.call(.post, "/api/v1/visits", member, """
                {"id": "\(visitId(1))", "household_code": "H1", "visited_at": "2026-11-30T09:00:00+08:00", "method": "door", "outcome": "met",
                 "findings": [{"category": "land", "level": "yellow", "title": "地界"}]}
                """).status == .created)
            let risk = try await client.call(.post, "/api/v1/risks", member,
                                             #"{"household_code": "H3", "category": "fraud", "level": "orange", "title": "电诈", "source": "visit"}"#)
            let riskId = try #require(risk["id"] as? String)
            #expect(try await client.call(.patch, "/api/v1/risks/\(riskId)", member, #"{"status": "monitoring"}"#).status == .ok)
            let promoted = try await client.call(.post, "/api/v1/risks/\(riskId)/promote", admin)
            let caseId = try #require(promoted["id"] as? String)
            #expect(try await client.call(.post, "/api/v1/cases/\(caseId)/actions", admin,
                                          #"{"action": "dispatch", "assignee": "甲镇调委会"}"#).status == .ok)
            for uri in ["/api/v1/risks?unit=G1", "/api/v1/risks/\(riskId)", "/api/v1/cases?unit=C", "/api/v1/cases/\(caseId)",
                        "/api/v1/events?after=0", "/api/v1/households/H1?reveal=true",
                        // A grid's and a village's reports (the county's read every household, as they must).
                        "/api/v1/reports/coverage?unit=G1", "/api/v1/reports/coverage?unit=V1&as_of=2026-06-30",
                        "/api/v1/reports/pairing?unit=V1", "/api/v1/reports/cases?unit=T1&from=2026-01-01&to=2026-12-31"] {
                #expect(try await client.call(.get, uri, admin).status == .ok, "\(uri)")
            }
        }
        let statements = log.all.filter { !before.contains($0) }
        #expect(statements.count > 20)
        let scans = try await database.read { db in
            var scans: [String] = []
            for sql in statements {
                let head = sql.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
                guard head.hasPrefix("SELECT") || head.hasPrefix("WITH") || head.hasPrefix("UPDATE") || head.hasPrefix("DELETE")
                        || (head.hasPrefix("INSERT") && head.contains("SELECT")) else { continue }
                // Planned with every parameter NULL: the plan does not depend on the values.
                let explain = try db.makeStatement(sql: "EXPLAIN QUERY PLAN " + sql)
                let parameters = Int(sqlite3_bind_parameter_count(explain.sqliteStatement))
                let nulls = StatementArguments(Array(repeating: DatabaseValue.null, count: parameters))
                for row in try Row.fetchAll(explain, arguments: nulls) {
                    let detail: String = row["detail"]
                    // "SCAN visits" reads the table whole; "SCAN visits USING INDEX …" walks an index.
                    let words = detail.split(separator: " ")
                    if words.first == "SCAN", words.count > 1, Self.growing.contains(String(words[1])), !detail.contains("USING") {
                        scans.append("\(detail) in: \(sql)")
                    }
                }
            }
            return scans
        }
        #expect(scans == [])
    }
}
