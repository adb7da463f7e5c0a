import Foundation
import GridbookAPI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Testing

/// The 400 body for one refused field, byte for byte as the API answers it.
private func refusal(_ field: String, _ problem: String) -> String {
    """
    {
      "error" : {
        "code" : "invalid",
        "details" : [
          {
            "field" : "\(field)",
            "problem" : "\(problem)"
          }
        ],
        "message" : "\(field): \(problem)"
      }
    }
    """
}

@Suite("A refused request body names the field and what is wrong with it")
struct BodyRefusalTests {
    @Test("case actions: an unknown action, a fraction, text, null and a missing field each answer the field's own problem; nothing is written")
    func caseActionBodies() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let admin = tokens["P9"]!
        let dispute = try await database.fileCase(NewCase(title: "噪音", category: "neighbour", unitCode: "V1", parties: "", source: .walkIn),
                                                  by: .person("P9"))
        let uri = "/api/v1/cases/\(dispute.id)/actions"
        let actions = "respond|dispatch|start|note|resolve|fail|escalate|feedback|follow_up|close|reopen"
        let cases: [(body: String, expected: String)] = [
            (#"{"action": "Respond", "note": "x"}"#, refusal("action", "Respond is not one of \(actions)")),
            (#"{"action": "dispatch", "assignee": "x", "deadline_working_days": 1.5}"#,
             refusal("deadline_working_days", "1.5 is not a whole number")),
            (#"{"action": "dispatch", "assignee": "x", "deadline_working_days": 1e40}"#,
             refusal("deadline_working_days", "1e+40 is out of range")),
            (#"{"action": "dispatch", "assignee": "x", "deadline_working_days": "3"}"#,
             refusal("deadline_working_days", "must be a whole number")),
            (#"{"action": "dispatch", "assignee": "x", "track": "fast"}"#,
             refusal("track", "fast is not one of mediation|judicial_confirmation|litigation|petition")),
            (#"{"action": 5}"#, refusal("action", "must be text")),
            (#"{"action": null}"#, refusal("action", "must be text, not null")),
            (#"{"note": "x"}"#, refusal("action", "is missing")),
            (#"{"action": "note", "note": ["x"]}"#, refusal("note", "must be text")),
            ("[]", refusal("body", "must be an object")),
            (#"{"action": "#, refusal("body", "is not valid JSON")),
        ]
        try await app.test(.router) { client in
            for (body, expected) in cases {
                let reply = try await client.call(.post, uri, admin, body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.text == expected, "\(body)")
            }
        }
        #expect(try await database.caseDetail(id: dispute.id).ledger.count == 1)
    }

    @Test("a choice nested in a list is named by its path, and a whole number sent as 3.0 is taken")
    func nestedAndWholeBodies() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let visit = try await client.call(.post, "/api/v1/visits", tokens["P1"]!, """
                {"id": "aaaaaaaa-0000-4000-8000-000000000021", "household_code": "H1", "visited_at": "2026-06-30T09:00:00+08:00",
                 "method": "door", "outcome": "met", "findings": [{"category": "land", "level": "pink", "title": "x"}]}
                """)
            #expect(visit.status == .badRequest)
            #expect(visit.text == refusal("findings.[0].level", "pink is not one of red|orange|yellow|blue"))
            let dispute = try await database.fileCase(NewCase(title: "噪音", category: "neighbour", unitCode: "V1", parties: "", source: .walkIn),
                                                      by: .person("P9"))
            let dispatched = try await client.call(.post, "/api/v1/cases/\(dispute.id)/actions", tokens["P9"]!,
                                                   #"{"action": "dispatch", "assignee": "调委会", "deadline_working_days": 3.0}"#)
            #expect(dispatched.status == .ok, "\(dispatched.text)")
        }
        #expect(try await database.visits(under: "C").items.isEmpty)
    }
}
