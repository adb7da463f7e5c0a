import Foundation
import GridbookAPI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Testing

/// Reports from residents, timed (issue 15): when a resident reported a case, its first response.
@Suite("Cases timed from the resident's report")
struct CaseTimingTests {
    @Test("a chat-group report filed later keeps when it was reported; respond times the first response")
    func timed() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let staff = tokens["P3"]!
        try await app.test(.router) { client in
            // Reported in the village's chat group at 07:40 local, entered at 08:00 (the tests' now).
            let filed = try await client.call(.post, "/api/v1/cases", staff, #"""
                {"title": "村口两家因排水吵起来", "category": "neighbour", "unit_code": "V1", "source": "chat_group",
                 "reported_at": "2026-12-01T07:40:00+08:00"}
                """#)
            #expect(filed.status == .created)
            #expect(filed["reported_at"] as? String == "2026-11-30T23:40:00Z")
            #expect(filed["source"] as? String == "chat_group")
            let id = try #require(filed["id"] as? String)
            #expect(try await client.call(.get, "/api/v1/cases/\(id)", staff)["first_response_seconds"] is NSNull)
            let responded = try await client.call(.post, "/api/v1/cases/\(id)/actions", staff,
                                                  #"{"action": "respond", "note": "民警和村干部到场劝解"}"#)
            #expect(responded.status == .ok)
            #expect(responded["status"] as? String == "accepted")
            let detail = try await client.call(.get, "/api/v1/cases/\(id)", staff)
            // 07:40 to 08:00: twenty minutes.
            #expect(detail["first_response_seconds"] as? Int == 1200)
            let ledger = (detail["ledger"] as? [[String: Any]])?.map { "\($0["action"] ?? "") \($0["note"] ?? "")" }
            #expect(ledger == ["accept filed (chat_group)", "respond 民警和村干部到场劝解"])
            // A respond without a note says who is there: 400, nothing written.
            let quiet = try await client.call(.post, "/api/v1/cases/\(id)/actions", staff, #"{"action": "respond"}"#)
            #expect(quiet.status == .badRequest)
            #expect(quiet.errorField == "note")
            #expect(try await database.caseDetail(id: id).ledger.count == 2)
        }
    }

    @Test("reported_at must be a time with its offset and not in the future; nothing is written")
    func refusals() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            for (reportedAt, problem) in [
                ("2026-12-01 07:40", "reported_at: 2026-12-01 07:40 is not a time with its offset (2026-12-01T07:40:00+08:00)"),
                ("2026-12-01T09:00:00+08:00", "reported_at: 2026-12-01T09:00:00+08:00 is in the future"),
                ("0001-01-01T00:00:00+08:00", "reported_at: 0001-01-01T00:00:00+08:00 is before 1970"),
                ("1969-12-31T23:59:59Z", "reported_at: 1969-12-31T23:59:59Z is before 1970"),
            ] {
                let reply = try await client.call(.post, "/api/v1/cases", tokens["P3"]!, """
                    {"title": "x", "category": "neighbour", "unit_code": "V1", "source": "phone", "reported_at": "\(reportedAt)"}
                    """)
                #expect(reply.status == .badRequest)
                #expect(reply.errorField == "reported_at")
                #expect(((reply["error"] as? [String: Any])?["message"] as? String) == problem)
            }
            // Five minutes ahead is a clock's skew: taken as now.
            let skewed = try await client.call(.post, "/api/v1/cases", tokens["P3"]!, #"""
                {"title": "x", "category": "neighbour", "unit_code": "V1", "source": "phone", "reported_at": "2026-12-01T08:04:00+08:00"}
                """#)
            #expect(skewed["reported_at"] as? String == "2026-12-01T00:00:00Z")
        }
        #expect(try await database.cases().items.count == 1)
    }
}
