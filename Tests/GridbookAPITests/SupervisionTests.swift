import Foundation
import GRDB
import GridbookAPI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Testing

/// Supervision over a database (issue 15): cards given once each, in the ledger, the feed, the
/// case list and the case report; time limits in working days.
@Suite("Supervision over a database")
struct SupervisionTests {
    /// The tests' now is Tuesday 1 December 2026, 08:00 in Shanghai.
    let friday = apiNow.addingTimeInterval(-4 * 86_400)

    @Test("cards are given once each, written in the ledger and the feed, and listed and counted")
    func cards() async throws {
        let (database, tokens) = try await apiDatabase()
        // Accepted on Friday 27 November: not dispatched by Monday, so yellow on Tuesday.
        let slipping = try await database.fileCase(NewCase(title: "排水纠纷", category: "neighbour", unitCode: "V1", source: .phone),
                                                   by: .person("P3"), now: friday)
        // Filed and dispatched on Tuesday: on time until 80% of its seven days have passed.
        let fresh = try await database.fileCase(NewCase(title: "新案", category: "neighbour", unitCode: "V1", source: .phone), by: .person("P3"))
        _ = try await database.act(onCase: fresh.id, CaseActionInput(.dispatch, assignee: "调委会"), by: .person("P3"))
        #expect(slipping.deadline == LocalDate("2026-12-04"))
        let first = try await database.supervise()
        #expect(first.map { "\($0.caseId) \($0.color.rawValue) \($0.givenAt) \($0.reason)" } == [
            "2026-000001 yellow 2026-12-01T00:00:00Z not dispatched by 2026-11-30, the first working day after acceptance",
        ])
        #expect(try await database.supervise() == [])
        // Saturday 5 December: past the deadline, red; the yellow is not given again.
        let saturday = apiNow.addingTimeInterval(4 * 86_400)
        #expect(try await database.supervise(now: saturday).map(\.color) == [.red])
        #expect(try await database.supervise(now: saturday) == [])
        let ledger = try await database.caseDetail(id: slipping.id).ledger.map { "\($0.actor) \($0.action) \($0.note)" }
        #expect(ledger == [
            "P3 accept filed (phone)",
            "system supervise yellow card: not dispatched by 2026-11-30, the first working day after acceptance",
            "system supervise red card: past its deadline 2026-12-04 and not finished",
        ])
        #expect(try await database.cards(ofCase: fresh.id) == [])

        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let staff = tokens["P3"]!
            #expect(try await client.call(.get, "/api/v1/cases?unit=T1&carded=yellow", staff).items() == [slipping.id])
            #expect(try await client.call(.get, "/api/v1/cases?unit=T1&carded=red", staff).items() == [slipping.id])
            #expect(try await client.call(.get, "/api/v1/cases?unit=T1", staff).items() == [slipping.id, fresh.id])
            #expect(try await client.call(.get, "/api/v1/cases?unit=T1&carded=green", staff).errorField == "carded")
            let events = try await client.call(.get, "/api/v1/events", tokens["P9"]!)
            #expect(events.items("type") == ["case.created", "case.created", "case.updated", "case.supervised", "case.supervised"])
            let report = try await client.call(.get, "/api/v1/reports/cases?unit=T1&from=2026-12-01&to=2026-12-31", staff)
            #expect(report["cards"] as? [String: Int] == ["yellow": 1, "red": 1])
            let earlier = try await client.call(.get, "/api/v1/reports/cases?unit=T1&from=2026-11-01&to=2026-11-30", staff)
            #expect(earlier["cards"] as? [String: Int] == ["yellow": 0, "red": 0])
            // T2's staff would see nothing of T1's cards: the grid member of G2 has no cases.
            #expect(try await client.call(.get, "/api/v1/cases?unit=T2&carded=red", tokens["P9"]!).items() == [])
        }
    }

    @Test("time limits in working days: the county's setting, and a dispatch's deadline_working_days")
    func workingDayLimits() async throws {
        let (database, tokens) = try await apiDatabase()
        try await database.write { db in
            for day in 1...7 { try db.execute(sql: "INSERT INTO holidays (date, kind, name) VALUES (?, 'holiday', '国庆节')", arguments: ["2026-12-0\(day)"]) }
            try db.execute(sql: "INSERT INTO holidays (date, kind, name) VALUES ('2026-12-12', 'workday', '调休')")
        }
        // Calendar days by default: seven days from Tuesday 1 December.
        #expect(try await database.fileCase(NewCase(title: "甲", category: "land", unitCode: "V1", source: .phone), by: .person("P3")).deadline
                == LocalDate("2026-12-08"))
        try await database.setCaseDeadlines(inWorkingDays: true, by: .person("P9"))
        #expect(try await database.caseDeadlinesInWorkingDays())
        // Seven working days past the (made-up) holiday week: 8, 9, 10, 11, 12 (make-up Saturday), 14, 15.
        let second = try await database.fileCase(NewCase(title: "乙", category: "land", unitCode: "V1", source: .phone), by: .person("P3"))
        #expect(second.deadline == LocalDate("2026-12-15"))
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let staff = tokens["P3"]!
            let dispatched = try await client.call(.post, "/api/v1/cases/\(second.id)/actions", staff,
                                                   #"{"action": "dispatch", "assignee": "调委会", "deadline_working_days": 3}"#)
            #expect(dispatched["deadline"] as? String == "2026-12-10")
            for body in [#"{"action": "dispatch", "assignee": "调委会", "deadline_working_days": 0}"#,
                         #"{"action": "dispatch", "assignee": "调委会", "deadline_working_days": 2, "deadline": "2026-12-20"}"#] {
                let refused = try await client.call(.post, "/api/v1/cases/2026-000001/actions", staff, body)
                #expect(refused.status == .badRequest)
                #expect(refused.errorField == "deadline_working_days")
            }
        }
        #expect(try await database.caseDetail(id: "2026-000001").dispute.status == .accepted)
        #expect(try await database.caseDetail(id: "2026-000001").ledger.count == 1)
    }
}
