import Foundation
import GRDB
import Testing
@testable import GridbookCore

@Suite("The case state machine")
struct CaseRulesTests {
    let today = LocalDate("2026-07-01")!

    func dispute(_ status: CaseStatus, level: CaseLevel = .village, feedback: Bool = false, satisfaction: Satisfaction? = nil) -> DisputeCase {
        DisputeCase(id: "2026-000001", title: "宅基地纠纷", category: "land", parties: "", source: .walkIn, reportedAt: nil, riskId: nil, unitCode: "G1",
                    level: level, status: status, track: .mediation, assignee: nil, deadline: LocalDate("2026-07-08")!,
                    acceptedAt: "2026-07-01T02:00:00Z", finishedAt: nil, feedbackGiven: feedback, satisfaction: satisfaction)
    }

    func input(_ action: CaseAction) -> CaseActionInput {
        CaseActionInput(action, note: "说明", assignee: "村调委会", track: nil, satisfaction: .satisfied)
    }

    @Test("every action in every state: allowed ones move the case, the others are refused", arguments: CaseStatus.allCases)
    func everyTransition(_ status: CaseStatus) async throws {
        let expected: [CaseStatus: [CaseAction: CaseStatus]] = [
            .accepted: [.dispatch: .assigned, .respond: .accepted, .start: .inProgress, .escalate: .accepted, .note: .accepted],
            .assigned: [.dispatch: .assigned, .respond: .assigned, .start: .inProgress, .escalate: .accepted, .note: .assigned],
            .inProgress: [.respond: .inProgress, .resolve: .resolved, .fail: .unresolved, .escalate: .accepted, .note: .inProgress],
            .resolved: [.feedback: .resolved, .followUp: .resolved, .close: .closed, .note: .resolved],
            .unresolved: [.escalate: .accepted, .feedback: .unresolved, .followUp: .unresolved, .close: .closed, .note: .unresolved],
            .closed: [.note: .closed],
        ]
        for action in CaseAction.allCases {
            let before = dispute(status, feedback: true)
            if let after = expected[status]?[action] {
                #expect(try CaseRules.apply(input(action), to: before, today: today, now: "t").status == after, "\(status) \(action)")
            } else {
                let allowed = (expected[status] ?? [:]).keys.map(\.rawValue)
                let error = try #require(throws: GridbookError.self) { try CaseRules.apply(input(action), to: before, today: today, now: "t") }
                #expect(error.description.hasPrefix("case 2026-000001 is \(status.rawValue); \(action.rawValue) is not allowed"))
                #expect(Set(CaseRules.allowed(before).map(\.rawValue)) == Set(allowed))
            }
        }
    }

    @Test("respond needs a note saying who is there; the first response is timed from the report, else acceptance")
    func firstResponse() async throws {
        var quiet = input(.respond)
        quiet.note = "  "
        #expect(throws: GridbookError.invalid(field: "note", problem: "is empty (who is on site or in contact with the parties, and how)")) {
            try CaseRules.apply(quiet, to: dispute(.accepted), today: today, now: "t")
        }
        func entry(_ action: String, _ at: String) -> LedgerEntry {
            LedgerEntry(id: nil, caseId: "2026-000001", at: at, actor: "P3", action: action, note: "")
        }
        let ledger = [entry("accept", "2026-07-01T02:00:00Z"), entry("dispatch", "2026-07-01T02:05:00Z"),
                      entry("respond", "2026-07-01T02:12:30Z"), entry("respond", "2026-07-01T03:00:00Z")]
        var reported = dispute(.assigned)
        #expect(reported.firstResponseSeconds(ledger: ledger) == 750)
        reported.reportedAt = "2026-07-01T01:50:00Z"
        #expect(reported.firstResponseSeconds(ledger: ledger) == 1350)
        #expect(reported.firstResponseSeconds(ledger: Array(ledger.prefix(2))) == nil)
    }

    @Test("a closed case reopens only after a dissatisfied follow-up")
    func reopen() async throws {
        #expect(try CaseRules.apply(input(.reopen), to: dispute(.closed, feedback: true, satisfaction: .dissatisfied), today: today, now: "t").status == .inProgress)
        #expect(throws: GridbookError.self) {
            try CaseRules.apply(input(.reopen), to: dispute(.closed, feedback: true, satisfaction: .basicallySatisfied), today: today, now: "t")
        }
    }

    @Test("deadlines by level: 7, 15, 30 days from dispatch or escalation; an explicit deadline wins")
    func deadlines() async throws {
        #expect(try CaseRules.apply(input(.dispatch), to: dispute(.accepted), today: today, now: "t").deadline == LocalDate("2026-07-08"))
        #expect(try CaseRules.apply(input(.dispatch), to: dispute(.accepted, level: .township), today: today, now: "t").deadline == LocalDate("2026-07-16"))
        let escalated = try CaseRules.apply(input(.escalate), to: dispute(.inProgress, level: .township), today: today, now: "t")
        #expect("\(escalated.level.rawValue) \(escalated.deadline)" == "county 2026-07-31")
        var explicit = input(.dispatch)
        explicit.deadline = LocalDate("2026-07-03")
        #expect(try CaseRules.apply(explicit, to: dispute(.accepted), today: today, now: "t").deadline == LocalDate("2026-07-03"))
    }

    @Test("a county case cannot escalate further up, but can change track")
    func countyEscalation() async throws {
        #expect(throws: GridbookError.conflict("case 2026-000001 is at the county level and cannot escalate further up; give a track (judicial_confirmation, litigation or petition)")) {
            try CaseRules.apply(input(.escalate), to: dispute(.inProgress, level: .county), today: today, now: "t")
        }
        var toCourt = input(.escalate)
        toCourt.track = .litigation
        let moved = try CaseRules.apply(toCourt, to: dispute(.inProgress, level: .county), today: today, now: "t")
        #expect("\(moved.track.rawValue) \(moved.level.rawValue) \(moved.status.rawValue)" == "litigation county accepted")
    }

    @Test("a follow-up needs feedback first and a satisfaction; dispatch needs an assignee")
    func requirements() {
        #expect(throws: GridbookError.conflict("case 2026-000001 has had no feedback yet; answer the parties (feedback) before following up")) {
            try CaseRules.apply(input(.followUp), to: dispute(.resolved), today: today, now: "t")
        }
        #expect(throws: GridbookError.invalid(field: "satisfaction", problem: "is empty (satisfied, basically_satisfied or dissatisfied)")) {
            try CaseRules.apply(CaseActionInput(.followUp), to: dispute(.resolved, feedback: true), today: today, now: "t")
        }
        #expect(throws: GridbookError.invalid(field: "assignee", problem: "is empty (the responsible unit and person)")) {
            try CaseRules.apply(CaseActionInput(.dispatch), to: dispute(.accepted), today: today, now: "t")
        }
    }
}

@Suite("Promotion and the ledger")
struct CaseLedgerTests {
    let now = Date(timeIntervalSince1970: 1_782_784_800) // 2026-06-30 10:00 in Shanghai

    /// The small county with a mediator (P3) in T1.
    func database() async throws -> AppDatabase {
        let database = try await smallCountyDatabase()
        let seeds = try SeedDirectory([
            "people.csv": "id,name\nP3,调解员\n",
            "duties.csv": "person_id,role,unit_code,since,until\nP3,mediator,T1,2025-01-01,\n",
        ])
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        return database
    }

    @Test("a risk is promoted once: the case is accepted, the risk is promoted; again returns the same case")
    func promote() async throws {
        let database = try await database()
        let risk = try await database.addRisk(NewRisk(householdCode: "H3", category: "land", level: .orange, title: "宅基地边界纠纷", source: .visit),
                                        by: .person("P1"), now: now)
        let first = try await database.promoteRisk(id: risk.id, by: .person("P3"), now: now)
        let again = try await database.promoteRisk(id: risk.id, by: .person("P3"), now: now)
        #expect(again == .existing(first.dispute))
        #expect("\(first.dispute.id) \(first.dispute.status.rawValue) \(first.dispute.level.rawValue) \(first.dispute.deadline) \(first.dispute.riskId ?? "")"
                == "2026-000001 accepted village 2026-07-07 \(risk.id)")
        let stored = try await database.risk(id: risk.id).risk
        #expect("\(stored.status.rawValue) \(stored.caseId ?? "")" == "promoted 2026-000001")
        #expect(try await database.cases().items.count == 1)
        #expect(try await database.events().map(\.type) == ["risk.created", "case.created", "risk.promoted"])
    }

    @Test("only township staff, mediators and county admins promote and act; a refusal writes nothing")
    func roles() async throws {
        let database = try await database()
        let risk = try await database.addRisk(NewRisk(householdCode: "H3", category: "land", level: .orange, title: "x", source: .patrol),
                                        by: .person("P1"), now: now)
        let before = try await tableCounts(database)
        let audit = try await database.auditEntries().count
        await #expect(throws: GridbookError.notAllowed("P1 is not township staff, a mediator or a county admin")) {
            try await database.promoteRisk(id: risk.id, by: .person("P1"), now: now)
        }
        await #expect(throws: GridbookError.notAllowed("cases are handled by township staff, mediators and county admins; say who you are (--as)")) {
            try await database.fileCase(NewCase(title: "x", category: "land", unitCode: "V1", source: .walkIn), by: .commandLine(user: "li"), now: now)
        }
        #expect(try await tableCounts(database) == before)
        #expect(try await database.auditEntries().count == audit)
        #expect(try await database.risk(id: risk.id).risk.status == .open)
    }

    @Test("a case walked from acceptance to close: every step in the ledger, oldest first, never editable")
    func walk() async throws {
        let database = try await database()
        let dispute = try await database.fileCase(NewCase(title: "邻里漏水纠纷", category: "neighbour", unitCode: "V1", parties: "李明; 王芳",
                                                    source: .walkIn), by: .person("P3"), now: now)
        for step in [CaseActionInput(.dispatch, assignee: "红旗村调委会"), CaseActionInput(.start), CaseActionInput(.resolve, note: "达成协议"),
                     CaseActionInput(.feedback, note: "已答复"), CaseActionInput(.followUp, satisfaction: .basicallySatisfied),
                     CaseActionInput(.close)] {
            _ = try await database.act(onCase: dispute.id, step, by: .person("P3"), now: now)
        }
        let detail = try await database.caseDetail(id: dispute.id)
        #expect(detail.ledger.map { "\($0.action) \($0.note)" } == [
            "accept filed (walk_in)", "dispatch to 红旗村调委会, due 2026-07-07", "start ", "resolve 达成协议", "feedback 已答复",
            "follow_up basically_satisfied", "close ",
        ])
        #expect(detail.dispute.status == .closed)
        await #expect(throws: DatabaseError.self) {
            try await database.write { db in try db.execute(sql: "UPDATE case_ledger SET note = 'x'") }
        }
        await #expect(throws: DatabaseError.self) {
            try await database.write { db in try db.execute(sql: "DELETE FROM case_ledger") }
        }
        await #expect(throws: GridbookError.conflict("case \(dispute.id) is closed; start is not allowed (allowed: note)")) {
            try await database.act(onCase: dispute.id, CaseActionInput(.start), by: .person("P3"), now: now)
        }
        #expect(try await database.caseDetail(id: dispute.id).ledger.count == 7)
    }

    @Test("overdue cases are those past their deadline and not finished")
    func overdue() async throws {
        let database = try await database()
        let open = try await database.fileCase(NewCase(title: "a", category: "land", unitCode: "V1", source: .phone), by: .person("P3"), now: now)
        let done = try await database.fileCase(NewCase(title: "b", category: "land", unitCode: "G1", source: .phone), by: .person("P3"), now: now)
        for step in [CaseActionInput(.start), CaseActionInput(.resolve)] { _ = try await database.act(onCase: done.id, step, by: .person("P3"), now: now) }
        #expect(try await database.cases(overdueOn: LocalDate("2026-07-08")).items.map(\.id) == [open.id])
        #expect(try await database.cases(overdueOn: LocalDate("2026-07-07")).items.map(\.id) == [])
        #expect(try await database.cases(under: "G1").items.map(\.id) == [done.id])
    }
}
