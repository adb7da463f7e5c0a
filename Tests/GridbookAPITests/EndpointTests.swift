import Foundation
import GridbookAPI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// A response as the tests read it.
struct Reply {
    var status: HTTPResponse.Status
    var text: String
    var contentType: String? = nil

    /// The error body's `details[0].field`, or nil.
    var errorField: String? {
        let body = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let error = body?["error"] as? [String: Any]
        return (error?["details"] as? [[String: Any]])?.first?["field"] as? String
    }

    /// The error body's `code`, or nil.
    var errorCode: String? {
        let body = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return (body?["error"] as? [String: Any])?["code"] as? String
    }

    /// A top-level field of a JSON object body.
    subscript(key: String) -> Any? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?[key]
    }

    /// The `id`s (or another key) of a list's items.
    func items(_ key: String = "id") -> [String] {
        ((self["items"] as? [[String: Any]]) ?? []).map { "\($0[key] ?? "")" }
    }
}

extension TestClientProtocol {
    /// One request: the token as a bearer when given, the body as JSON.
    func call(_ method: HTTPRequest.Method, _ uri: String, _ token: String?, _ body: String? = nil) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Reply(status: response.status, text: String(buffer: response.body))
        }
    }
}

/// Both JSON texts hold the same value (key order and spacing aside).
func sameJSON(_ text: String, _ expected: String) -> Bool {
    func normal(_ text: String) -> String? {
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed),
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
    return normal(text) != nil && normal(text) == normal(expected)
}

/// The UUID of test visit `n`.
func visitId(_ n: Int) -> String { "aaaaaaaa-0000-4000-8000-\(String(format: "%012d", n))" }

func visitBody(_ id: Int, household: String = "H1", at: String = "2026-06-30T09:00:00+08:00", visitor: String? = nil) -> String {
    let visitor = visitor.map { #", "visitor_id": "\#($0)""# } ?? ""
    return #"{"id": "\#(visitId(id))", "household_code": "\#(household)", "visited_at": "\#(at)", "method": "door", "outcome": "met"\#(visitor)}"#
}

@Suite("Every endpoint")
struct EndpointTests {
    @Test("every /api/v1 route answers 401 with the error body without a token, and with a revoked one")
    func everyRouteNeedsAToken() async throws {
        let (database, tokens) = try await apiDatabase()
        let router = buildRouter(database: database)
        let routes = router.routes.filter { $0.path.description.hasPrefix("/api/v1") }.map { ($0.method, $0.path.description) }
        #expect(routes.count == 24)
        try await database.revokeToken(id: 1)
        let app = Application(router: router, logger: quietLogger)
        try await app.test(.router) { client in
            for (method, path) in routes {
                let uri = path.replacingOccurrences(of: "{code}", with: "G1").replacingOccurrences(of: "{id}", with: "X")
                let none = try await client.call(method, uri, nil, "{}")
                #expect(none.status == .unauthorized, "\(method) \(path)")
                #expect(none.errorCode == "unauthorized", "\(method) \(path)")
                let revoked = try await client.call(method, uri, tokens["P1"]!, "{}")
                #expect(revoked.status == .unauthorized, "\(method) \(path)")
            }
            #expect(try await client.call(.get, "/api/v1/nothing-here", tokens["P2"]!).status == .notFound)
        }
    }

    @Test("me, a unit and a household list: exact JSON, pages of households by code")
    func meUnitsHouseholds() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let me = try await client.call(.get, "/api/v1/me", tokens["P1"]!)
            #expect(sameJSON(me.text, #"{"id": "P1", "name": "张伟", "roles": ["grid_member"], "scope_units": [{"code": "G1", "name": "一网格", "level": "grid"}]}"#))
            let unit = try await client.call(.get, "/api/v1/units/G1", tokens["P1"]!)
            #expect(sameJSON(unit.text, """
                {"code": "G1", "name": "一网格", "level": "grid", "parent_code": "V1", "children": [],
                 "parents": [{"code": "V1", "name": "一村", "level": "village"}, {"code": "T1", "name": "甲镇", "level": "township"},
                             {"code": "C", "name": "县", "level": "county"}]}
                """))
            let first = try await client.call(.get, "/api/v1/units/G1/households?limit=1", tokens["P1"]!)
            #expect(first.items("code") == ["H1"])
            #expect(first["next"] as? String == "H1")
            let second = try await client.call(.get, "/api/v1/units/G1/households?limit=1&after=H1", tokens["P1"]!)
            #expect(second.items("code") == ["H3"])
            #expect(second["next"] is NSNull)
            // As of today (2026-12-01): registered 2025-01-01, never visited, due 2025-04-01; phones masked.
            let household = { (code: String, phone: String) in
                """
                {"address": "", "block_code": null, "code": "\(code)", "grid_code": "G1", "head_name": "", "members": 1,
                 "phone": \(phone), "registered_on": "2025-01-01", "tags": [],
                 "schedule": {"covered": false, "due_on": "2025-04-01", "interval_days": 90, "last_met": null,
                              "on": "2026-12-01", "overdue_days": 609}}
                """
            }
            #expect(await sameJSON(try await client.call(.get, "/api/v1/units/G1/households", tokens["P1"]!).text,
                                   #"{"items": [\#(household("H1", #""139****1111""#)), \#(household("H3", "null"))], "next": null}"#))
            #expect(try await client.call(.get, "/api/v1/units/G1/households?limit=0", tokens["P1"]!).errorField == "limit")
            #expect(try await client.call(.get, "/api/v1/units/G1/households?limit=1001", tokens["P1"]!).errorField == "limit")
            #expect(try await client.call(.get, "/api/v1/units/G2/households", tokens["P1"]!).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/households/NOPE", tokens["P1"]!).status == .notFound)
        }
    }

    @Test("visits come in pages by date, household and time; bad cursors and dates are 400")
    func visitPages() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let member = tokens["P1"]!
            for (id, household, at) in [(1, "H3", "2026-06-01T09:00:00+08:00"), (2, "H1", "2026-06-01T10:00:00+08:00"), (3, "H1", "2026-05-20T09:00:00+08:00")] {
                #expect(try await client.call(.post, "/api/v1/visits", member, visitBody(id, household: household, at: at)).status == .created)
            }
            let first = try await client.call(.get, "/api/v1/visits?unit=G1&limit=2", member)
            #expect(first.items() == [visitId(3), visitId(2)])
            let cursor = try #require(first["next"] as? String)
            #expect(cursor == "2026-06-01|H1|2026-06-01T10:00:00+08:00|\(visitId(2))")
            let escaped = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let second = try await client.call(.get, "/api/v1/visits?unit=G1&limit=2&after=\(escaped)", member)
            #expect(second.items() == [visitId(1)])
            #expect(second["next"] is NSNull)
            #expect(try await client.call(.get, "/api/v1/visits?unit=G1&from=2026-06-01", member).items() == [visitId(2), visitId(1)])
            #expect(try await client.call(.get, "/api/v1/visits?unit=G1&after=nonsense", member).errorField == "after")
            #expect(try await client.call(.get, "/api/v1/visits?unit=G1&from=2026-13-01", member).errorField == "from")
            #expect(try await client.call(.get, "/api/v1/visits?unit=G1&from=2026-07-01&to=2026-06-01", member).errorField == "from")
            #expect(try await client.call(.get, "/api/v1/visits", member).errorField == "unit")
            #expect(try await client.call(.get, "/api/v1/visits?unit=G2", member).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/visits?unit=C", member).status == .forbidden)
        }
    }

    @Test("a visit with findings answers them as risks, the same when sent again; nothing twice")
    func visitFindings() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let body = #"{"id": "\#(visitId(5))", "household_code": "H1", "visited_at": "2026-06-30T09:00:00+08:00", "method": "door", "outcome": "met", "findings": [{"category": "fraud", "level": "red", "title": "冒充客服电话"}]}"#
        try await app.test(.router) { client in
            let first = try await client.call(.post, "/api/v1/visits", tokens["P1"]!, body)
            #expect(first.status == .created)
            let findings = try #require(first["findings"] as? [[String: Any]])
            #expect(findings.map { "\($0["id"] ?? "") \($0["unit_code"] ?? "") \($0["visit_id"] ?? "") \($0["source"] ?? "")" }
                    == ["R2026-000001 G1 \(visitId(5)) visit"])
            let again = try await client.call(.post, "/api/v1/visits", tokens["P1"]!, body)
            #expect(again.status == .ok)
            #expect(sameJSON(again.text, first.text))
        }
        #expect(try await database.risks().items.map(\.id) == ["R2026-000001"])
        #expect(try await database.visits(under: "C").items.count == 1)
    }

    @Test("the due list comes in pages by due date then household; horizon is checked")
    func duePages() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let member = tokens["P1"]!
            // H1 and H3 were registered on 2025-01-01 and never visited: both due 2025-04-01.
            let first = try await client.call(.get, "/api/v1/due?unit=G1&on=2026-06-30&limit=1", member)
            #expect(await sameJSON(first.text, #"""
                {"items": [{"due_on": "2025-04-01", "grid_code": "G1", "household_code": "H1", "interval_days": 90,
                            "last_met": null, "overdue_days": 455}],
                 "next": "2025-04-01|H1"}
                """#))
            let second = try await client.call(.get, "/api/v1/due?unit=G1&on=2026-06-30&limit=1&after=2025-04-01%7CH1", member)
            #expect(await sameJSON(second.text, #"""
                {"items": [{"due_on": "2025-04-01", "grid_code": "G1", "household_code": "H3", "interval_days": 90,
                            "last_met": null, "overdue_days": 455}],
                 "next": null}
                """#))
            #expect(try await client.call(.get, "/api/v1/due?unit=G1&horizon=soon", member).errorField == "horizon")
            #expect(try await client.call(.get, "/api/v1/due?unit=G1&horizon=-1", member).errorField == "horizon")
            #expect(try await client.call(.get, "/api/v1/due?unit=NOPE", member).status == .notFound)
        }
    }

    @Test("roles: a grid member may not file or act on cases, log in another's name, or read the feed; nothing is written")
    func roles() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let dispute = #"{"title": "邻里噪音", "category": "neighbour", "unit_code": "G1", "source": "walk_in"}"#
        try await app.test(.router) { client in
            let member = tokens["P1"]!, staff = tokens["P3"]!
            let refused = try await client.call(.post, "/api/v1/cases", member, dispute)
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "forbidden")
            #expect(try await client.call(.post, "/api/v1/visits", member, visitBody(1, visitor: "P3")).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/events", member).status == .forbidden)
            #expect(try await database.cases().items.isEmpty)
            #expect(try await database.visits(under: "C").items.isEmpty)

            let filed = try await client.call(.post, "/api/v1/cases", staff, dispute)
            #expect(filed.status == .created)
            let id = try #require(filed["id"] as? String)
            #expect(try await client.call(.post, "/api/v1/cases/\(id)/actions", member, #"{"action": "note", "note": "x"}"#).status == .forbidden)
            #expect(try await database.caseDetail(id: id).ledger.count == 1)
            // Township staff log a visit in a grid member's name, within their township only.
            #expect(try await client.call(.post, "/api/v1/visits", staff, visitBody(2, visitor: "P1")).status == .created)
            #expect(try await client.call(.post, "/api/v1/visits", staff, visitBody(3, household: "H2", visitor: "P2")).status == .forbidden)
            #expect(try await database.visits(under: "C").items.map(\.visitorId) == ["P1"])
        }
    }

    @Test("scope: a grid member cannot read a neighbouring grid's household, risk, case, report or list, and lists leak nothing")
    func scope() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let member = tokens["P1"]!, admin = tokens["P9"]!
            let risk = try await client.call(.post, "/api/v1/risks", admin,
                                             #"{"household_code": "H2", "category": "land", "level": "yellow", "title": "地界", "source": "patrol"}"#)
            let riskId = try #require(risk["id"] as? String)
            let filed = try await client.call(.post, "/api/v1/cases", admin,
                                              #"{"title": "邻里噪音", "category": "neighbour", "unit_code": "G2", "source": "walk_in"}"#)
            let caseId = try #require(filed["id"] as? String)
            for uri in ["/api/v1/households/H2", "/api/v1/risks/\(riskId)", "/api/v1/cases/\(caseId)", "/api/v1/units/G2",
                        "/api/v1/units/T2", "/api/v1/risks?unit=G2", "/api/v1/cases?unit=G2", "/api/v1/due?unit=G2",
                        "/api/v1/reports/coverage?unit=G2", "/api/v1/reports/pairing?unit=T2",
                        "/api/v1/reports/cases?unit=G2&from=2026-01-01&to=2026-12-31", "/api/v1/visits?unit=V2"] {
                let reply = try await client.call(.get, uri, member)
                #expect(reply.status == .forbidden, "\(uri)")
                // The same body for every record wherever it sits: nothing of H2, its grid, village or township.
                #expect(reply.text == """
                    {
                      "error" : {
                        "code" : "forbidden",
                        "details" : [

                        ],
                        "message" : "this is outside your units"
                      }
                    }
                    """, "\(uri)")
            }
            #expect(try await client.call(.patch, "/api/v1/risks/\(riskId)", member, #"{"status": "monitoring"}"#).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/cases?unit=G1", member).items().isEmpty)
            #expect(try await client.call(.get, "/api/v1/risks?unit=G1", member).items().isEmpty)
            #expect(try await client.call(.get, "/api/v1/cases?unit=C", admin).items() == [caseId])
            #expect(try await database.risk(id: riskId).risk.status == .open)
        }
    }

    @Test("risks: exact shapes, filters checked (400 for unknown values), update, pages, 404")
    func risks() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let member = tokens["P1"]!
            var ids: [String] = []
            for (level, household) in [("yellow", "H1"), ("red", "H3"), ("yellow", "H3")] {
                let reply = try await client.call(.post, "/api/v1/risks", member,
                                                  #"{"household_code": "\#(household)", "category": "land", "level": "\#(level)", "title": "地界", "source": "patrol"}"#)
                #expect(reply.status == .created)
                #expect(reply["reported_at"] as? String == "2026-12-01T00:00:00Z")
                ids.append(reply["id"] as? String ?? "")
            }
            let first = try await client.call(.get, "/api/v1/risks?unit=G1&limit=2", member)
            #expect(first.items() == [ids[1], ids[0]])
            let cursor = try #require(first["next"] as? String).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect(try await client.call(.get, "/api/v1/risks?unit=G1&limit=2&after=\(cursor)", member).items() == [ids[2]])
            #expect(try await client.call(.get, "/api/v1/risks?unit=G1&level=red", member).items() == [ids[1]])
            // Red: reviewed within a day of the report (2026-12-01, the tests' clock).
            #expect(await sameJSON(try await client.call(.get, "/api/v1/risks/\(ids[1])", member).text, #"""
                {"case_id": null, "category": "land", "description": "", "follow_ups": [], "household_code": "H3",
                 "id": "R2026-000002", "level": "red", "reported_at": "2026-12-01T00:00:00Z", "reported_by": "P1",
                 "review_due": "2026-12-02", "source": "patrol", "status": "open", "title": "地界", "unit_code": "G1",
                 "visit_id": null}
                """#))
            let patched = try await client.call(.patch, "/api/v1/risks/\(ids[1])", member, #"{"status": "monitoring", "note": "已走访"}"#)
            #expect(patched.status == .ok)
            #expect(patched["status"] as? String == "monitoring")
            #expect(try await client.call(.get, "/api/v1/risks?unit=G1&status=monitoring", member).items() == [ids[1]])
            #expect(try await client.call(.get, "/api/v1/risks?unit=G1&status=closed", member).errorField == "status")
            #expect(try await client.call(.get, "/api/v1/risks?unit=G1&level=purple", member).errorField == "level")
            #expect(try await client.call(.get, "/api/v1/risks?unit=G1&category=weather", member).errorField == "category")
            #expect(try await client.call(.get, "/api/v1/risks?unit=G1&category=land", member).items().count == 3)
            #expect(try await client.call(.get, "/api/v1/risks?unit=G1&review_overdue=yes", member).errorField == "review_overdue")
            #expect(try await client.call(.get, "/api/v1/risks/R2026-999999", member).status == .notFound)
            let badMove = try await client.call(.patch, "/api/v1/risks/\(ids[0])", member, #"{"status": "promoted"}"#)
            #expect(badMove.status == .badRequest || badMove.status == .conflict)
            #expect(try await database.risk(id: ids[0]).risk.status == .open)
        }
    }

    @Test("bad bodies answer 400 naming the field, and nothing is written")
    func badBodies() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let member = tokens["P1"]!, admin = tokens["P9"]!
            let cases: [(String, String, String)] = [
                ("/api/v1/risks", #"{"household_code": "H1", "category": "land", "level": "yellow", "source": "patrol"}"#, "title"),
                ("/api/v1/risks", #"{"household_code": "H1", "category": "land", "level": 3, "title": "x", "source": "patrol"}"#, "level"),
                ("/api/v1/risks", #"{"household_code": "H1", "category": "weather", "level": "red", "title": "x", "source": "patrol"}"#, "category"),
                ("/api/v1/risks", #"{"household_code": "H1", "category": "land", "level": "red", "title": "x", "source": "rumour"}"#, "source"),
                ("/api/v1/visits", #"{"id": "aaaaaaaa-0000-4000-8000-000000000009", "household_code": "H1", "visited_at": "yesterday", "method": "door", "outcome": "met"}"#, "visited_at"),
                ("/api/v1/visits", #"{"id": "aaaaaaaa-0000-4000-8000-000000000009", "household_code": "H1", "visited_at": "2026-06-30T09:00:00+08:00", "method": "door", "outcome": "met", "findings": [{"category": "land", "level": "pink", "title": "x"}]}"#, "findings.[0].level"),
                ("/api/v1/visits", "[]", "body"),
            ]
            for (uri, body, field) in cases {
                let reply = try await client.call(.post, uri, member, body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.errorField == field, "\(body): \(reply.text)")
            }
            let dispute = #"{"title": "噪音", "category": "neighbour", "unit_code": "G1", "source": "walk_in"}"#
            let id = try #require(try await client.call(.post, "/api/v1/cases", admin, dispute)["id"] as? String)
            let action = try await client.call(.post, "/api/v1/cases/\(id)/actions", admin, #"{"action": "dispatch", "assignee": "调委会", "deadline": "2026-02-30"}"#)
            #expect(action.status == .badRequest)
            #expect(action.errorField == "deadline")
            #expect(try await client.call(.post, "/api/v1/cases", admin, dispute.replacingOccurrences(of: "walk_in", with: "pigeon")).errorField == "source")
            #expect(try await database.risks().items.isEmpty)
            #expect(try await database.visits(under: "C").items.isEmpty)
            #expect(try await database.cases().items.count == 1)
            #expect(try await database.caseDetail(id: id).ledger.count == 1)
        }
    }

    @Test("every write route answers 413 past 1 MB, and nothing is written")
    func tooLarge() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let big = "{\"title\": \"" + String(repeating: "x", count: 1_100_000) + "\"}"
        try await app.test(.router) { client in
            let admin = tokens["P9"]!
            let risk = try await client.call(.post, "/api/v1/risks", admin, #"{"unit_code": "G1", "category": "land", "level": "red", "title": "地界", "source": "patrol"}"#)
            let filed = try await client.call(.post, "/api/v1/cases", admin, #"{"title": "噪音", "category": "neighbour", "unit_code": "G1", "source": "walk_in"}"#)
            let (riskId, caseId) = (try #require(risk["id"] as? String), try #require(filed["id"] as? String))
            for (method, uri) in [(HTTPRequest.Method.post, "/api/v1/visits"), (.post, "/api/v1/risks"), (.patch, "/api/v1/risks/\(riskId)"),
                                  (.post, "/api/v1/cases"), (.post, "/api/v1/cases/\(caseId)/actions")] {
                let reply = try await client.call(method, uri, admin, big)
                #expect(reply.status == .contentTooLarge, "\(uri)")
                #expect(reply.errorCode == "too_large", "\(uri)")
            }
        }
        #expect(try await database.risks().items.count == 1)
        #expect(try await database.cases().items.count == 1)
        #expect(try await database.visits(under: "C").items.isEmpty)
        #expect(try await database.risk(id: "R2026-000001").followUps.isEmpty)
        #expect(try await database.caseDetail(id: "2026-000001").ledger.count == 1)
    }

    @Test("cases: filing, the list with status and overdue filters, one case with its ledger, the case report")
    func cases() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let staff = tokens["P3"]!
            let filed = try await client.call(.post, "/api/v1/cases", staff, #"{"title": "噪音", "category": "neighbour", "unit_code": "V1", "source": "phone", "parties": "张三; 李四"}"#)
            #expect(filed.status == .created)
            let id = try #require(filed["id"] as? String)
            let fields = #"""
                "accepted_at": "2026-12-01T00:00:00Z", "assignee": null, "category": "neighbour", "deadline": "2026-12-08",
                "feedback_given": false, "finished_at": null, "id": "2026-000001", "level": "village", "parties": "张三; 李四",
                "reported_at": null, "risk_id": null, "satisfaction": null, "source": "phone", "status": "accepted", "title": "噪音",
                "track": "mediation", "unit_code": "V1"
                """#
            #expect(await sameJSON(filed.text, "{\(fields)}"))
            #expect(await sameJSON(try await client.call(.get, "/api/v1/cases/\(id)", staff).text, """
                {\(fields), "allowed_actions": ["dispatch", "respond", "start", "escalate", "note"], "reporter": null,
                 "first_response_seconds": null,
                 "ledger": [{"action": "accept", "actor": "P3", "at": "2026-12-01T00:00:00Z", "note": "filed (phone)"}]}
                """))
            #expect(try await client.call(.get, "/api/v1/cases?unit=T1", staff).items() == [id])
            #expect(try await client.call(.get, "/api/v1/cases?unit=T1&status=closed", staff).items() == [])
            #expect(try await client.call(.get, "/api/v1/cases?unit=T1&overdue=true", staff).items() == [])
            #expect(try await client.call(.get, "/api/v1/cases?unit=T1&status=lost", staff).errorField == "status")
            #expect(try await client.call(.get, "/api/v1/cases/2099-000001", staff).status == .notFound)
            let report = try await client.call(.get, "/api/v1/reports/cases?unit=T1&from=2026-01-01&to=2026-12-31", staff)
            // The period runs to 2026-12-31, but today (the tests' clock) is 2026-12-01: the case's
            // deadline, 2026-12-08, has not passed, so it is not overdue.
            #expect(await sameJSON(report.text, #"""
                {"by_category": {"neighbour": {"accepted": 1, "resolved": 0, "unresolved": 0}},
                 "by_level": {"village": {"accepted": 1, "resolved": 0, "unresolved": 0}},
                 "finished": 0, "finished_on_time": 0, "followed_up": 0, "from": "2026-01-01", "on_time_rate": null,
                 "overdue": [], "cards": {"yellow": 0, "red": 0}, "resolution_rate": 0, "satisfaction_rate": null, "satisfied": 0, "to": "2026-12-31",
                 "total": {"accepted": 1, "resolved": 0, "unresolved": 0},
                 "unit": {"code": "T1", "level": "township", "name": "甲镇"}}
                """#))
            #expect(try await client.call(.get, "/api/v1/reports/cases?unit=T1", staff).errorField == "from")
            #expect(try await client.call(.get, "/api/v1/reports/cases?unit=T1&from=2026-01-01", staff).errorField == "to")
            #expect(await sameJSON(try await client.call(.get, "/api/v1/reports/pairing?unit=T1", staff).text, #"""
                {"unit": {"code": "T1", "level": "township", "name": "甲镇"}, "blocks_without_head": [],
                 "grids_without_grid_member": [], "grids_without_party_group": [{"code": "G1", "name": "一网格"}],
                 "grids_without_police": [{"code": "G1", "name": "一网格"}],
                 "villages_without_auxiliary_police": [{"code": "V1", "name": "一村"}]}
                """#))
        }
    }

    @Test("the feed comes in order with a cursor; each page's next is its last seq")
    func feed() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            for id in 1...3 { _ = try await client.call(.post, "/api/v1/visits", tokens["P1"]!, visitBody(id, at: "2026-06-0\(id)T09:00:00+08:00")) }
            let first = try await client.call(.get, "/api/v1/events?after=0&limit=2", tokens["P3"]!)
            #expect(first.items("seq") == ["1", "2"])
            #expect(first.items("id") == [visitId(1), visitId(2)])
            #expect(first["next"] as? String == "2")
            let second = try await client.call(.get, "/api/v1/events?after=2&limit=2", tokens["P3"]!)
            #expect(second.items("type") == ["visit.logged"])
            #expect(second["next"] is NSNull)
            #expect(try await client.call(.get, "/api/v1/events?after=-1", tokens["P3"]!).errorField == "after")
        }
    }
}

@Suite("The server under load and in its logs")
struct ServerBehaviourTests {
    @Test("sixteen concurrent retries of one visit store it once: one 201, fifteen 200, one event")
    func concurrentRetries() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-retry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (database, tokens) = try await apiDatabase(file: directory.appendingPathComponent("api.sqlite").path)
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<16 { group.addTask { try await client.call(.post, "/api/v1/visits", tokens["P1"]!, visitBody(7)).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1.code) }
            }
            #expect(statuses.sorted() == [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201])
        }
        #expect(try await database.visits(under: "C").items.map(\.id) == [visitId(7)])
        #expect(try await database.events().map(\.type) == ["visit.logged"])
    }

    @Test("each request logs method, path, status, duration and person, never the token or the query")
    func requestLog() async throws {
        let (database, tokens) = try await apiDatabase()
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "gridbook.api") { JSONLogHandler(label: $0) { line in lines.withLock { $0.append(line) } } }
        logger.logLevel = .info
        let app = Application(router: buildRouter(database: database), logger: logger)
        try await app.test(.router) { client in
            _ = try await client.call(.get, "/api/v1/households/H1?reveal=false", tokens["P1"]!)
            _ = try await client.call(.get, "/api/v1/me", "gb_wrong")
        }
        let logged = lines.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            .filter { $0["message"] == "request" }
        #expect(logged.map { [$0["method"], $0["path"], $0["status"], $0["person"]] } == [
            ["GET", "/api/v1/households/H1", "200", "P1"],
            ["GET", "/api/v1/me", "401", nil],
        ])
        #expect(logged.allSatisfy { Double($0["duration_ms"] ?? "") != nil })
        let all = lines.withLock { $0 }.joined()
        #expect(!all.contains(tokens["P1"]!) && !all.contains("gb_wrong") && !all.contains("reveal"))
    }
}
