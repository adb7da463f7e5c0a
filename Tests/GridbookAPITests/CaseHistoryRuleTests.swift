import Foundation
import GridbookAPI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Testing

/// The case rules read for a day that is over, and the same figure wherever it is shown.
@Suite("Cases as they stood, and one median")
struct CaseHistoryRuleTests {
    /// 2026-11-10T00:00:00Z, a Tuesday (08:00 in Shanghai).
    let tenth = Date(timeIntervalSince1970: 1_794_268_800)
    let day: TimeInterval = 86_400

    @Test("a case dispatched on time and escalated since earns no 'not dispatched' card")
    func escalatedAfterDispatch() async throws {
        let (database, _) = try await apiDatabase()
        let dispute = try await database.fileCase(NewCase(title: "排水", category: "neighbour", unitCode: "V1", source: .phone),
                                                  by: .person("P3"), now: tenth)
        _ = try await database.act(onCase: dispute.id, CaseActionInput(.dispatch, assignee: "调委会"), by: .person("P3"),
                                   now: tenth.addingTimeInterval(3600))
        _ = try await database.act(onCase: dispute.id, CaseActionInput(.escalate), by: .person("P3"), now: tenth.addingTimeInterval(2 * day))
        let escalated = try await database.caseDetail(id: dispute.id)
        #expect(escalated.dispute.status == .accepted && escalated.dispute.assignee == nil)
        #expect(try await database.supervise(now: tenth.addingTimeInterval(3 * day)).map(\.reason) == [])
        // A case never dispatched still earns it.
        let idle = try await database.fileCase(NewCase(title: "噪声", category: "neighbour", unitCode: "V1", source: .phone),
                                               by: .person("P3"), now: tenth)
        #expect(try await database.supervise(now: tenth.addingTimeInterval(3 * day)).map { "\($0.caseId) \($0.reason)" } == [
            "\(idle.id) not dispatched by 2026-11-11, the first working day after acceptance",
        ])
    }

    @Test("a week's digest and the case report keep a case overdue on the period's last day after it is resolved")
    func overdueAsItStood() async throws {
        let (database, tokens) = try await apiDatabase()
        // Accepted Tuesday 10 November, village level: deadline 17 November; left unfinished.
        let dispute = try await database.fileCase(NewCase(title: "排水", category: "neighbour", unitCode: "V1", source: .phone),
                                                  by: .person("P3"), now: tenth)
        _ = try await database.act(onCase: dispute.id, CaseActionInput(.dispatch, assignee: "调委会"), by: .person("P3"), now: tenth)
        #expect(dispute.deadline == LocalDate("2026-11-17"))
        func overdue() async throws -> [String] {
            let week = try await database.digest(.weekly, unitCode: "T1", on: LocalDate("2026-11-23"))
            let report = try await database.caseReport(unitCode: "T1", from: try #require(LocalDate("2026-11-01")),
                                                       to: try #require(LocalDate("2026-11-22")))
            return week.cases.overdue.map(\.id) + report.overdue.map(\.id)
        }
        #expect(try await overdue() == [dispute.id, dispute.id])
        // Resolved on 25 November, after the week: on 22 November it was still overdue.
        _ = try await database.act(onCase: dispute.id, CaseActionInput(.start), by: .person("P3"), now: tenth.addingTimeInterval(15 * day))
        _ = try await database.act(onCase: dispute.id, CaseActionInput(.resolve), by: .person("P3"), now: tenth.addingTimeInterval(15 * day))
        #expect(try await overdue() == [dispute.id, dispute.id])
        // As it stands now (today, 1 December): finished, so not overdue in the case list.
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let staff = try #require(tokens["P3"])
            #expect(try await client.call(.get, "/api/v1/cases?unit=T1&overdue=true", staff).items() == [])
        }
    }

    @Test("the ranking's median first response is the digest's (nearest rank), and a ranking of days to come is refused")
    func medianAndFuture() async throws {
        let (database, tokens) = try await apiDatabase()
        // Two T1 cases in November, first responded to after 10 and 50 minutes.
        for (index, minutes) in [10, 50].enumerated() {
            let accepted = tenth.addingTimeInterval(Double(index) * day)
            let dispute = try await database.fileCase(NewCase(title: "纠纷\(index)", category: "neighbour", unitCode: "V1", source: .phone),
                                                      by: .person("P3"), now: accepted)
            _ = try await database.act(onCase: dispute.id, CaseActionInput(.respond, note: "到场"), by: .person("P3"),
                                       now: accepted.addingTimeInterval(Double(minutes) * 60))
        }
        let ranking = try await database.unitRanking(period: .month, on: LocalDate("2026-12-01"))
        let digest = try await database.digest(.monthly, unitCode: "T1", on: LocalDate("2026-12-01"))
        #expect(ranking.rows.first { $0.code == "T1" }?.firstResponseMedianSeconds == 600)
        #expect(digest.firstResponse.medianSeconds == 600)
        await #expect(throws: GridbookError.invalid(field: "on", problem: "2026-12-02 is after today (2026-12-01); a digest covers days that are over")) {
            try await database.unitRanking(period: .week, on: LocalDate("2026-12-02"))
        }
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let admin = try #require(tokens["P9"])
            #expect(try await client.call(.get, "/api/v1/reports/units?unit=C&period=week&on=9999-12-31", admin).errorField == "on")
        }
    }

    @Test("a person acting through the command line's --as handles only cases in their units; nothing is written outside")
    func scopeOfAs() async throws {
        let (database, _) = try await apiDatabase()
        // T2's case, filed by the county admin; P3 is township staff of T1.
        let theirs = try await database.fileCase(NewCase(title: "噪声", category: "neighbour", unitCode: "V2", source: .phone), by: .person("P9"))
        let refusal = GridbookError.notAllowed("this is outside your units")
        await #expect(throws: refusal) {
            try await database.act(onCase: theirs.id, CaseActionInput(.note, note: "看看"), by: .person("P3"))
        }
        await #expect(throws: refusal) {
            try await database.fileCase(NewCase(title: "越界", category: "neighbour", unitCode: "G2", source: .phone), by: .person("P3"))
        }
        let risk = try await database.addRisk(NewRisk(unitCode: "G2", householdCode: nil, category: "neighbour", level: .yellow,
                                                      title: "邻里", source: .patrol, reportedBy: "P2"))
        await #expect(throws: refusal) { try await database.promoteRisk(id: risk.id, by: .person("P3")) }
        #expect(try await database.caseDetail(id: theirs.id).ledger.count == 1)
        #expect(try await database.cases().items.map(\.id) == [theirs.id])
        // Their own township's, and the county admin anywhere: allowed.
        let own = try await database.fileCase(NewCase(title: "排水", category: "neighbour", unitCode: "G1", source: .phone), by: .person("P3"))
        _ = try await database.act(onCase: own.id, CaseActionInput(.note, note: "已登记"), by: .person("P3"))
        _ = try await database.act(onCase: theirs.id, CaseActionInput(.note, note: "县里看过"), by: .person("P9"))
    }
}
