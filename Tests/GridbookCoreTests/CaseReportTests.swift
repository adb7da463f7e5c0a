import Foundation
import GRDB
import Testing
@testable import GridbookCore

@Suite("The case report")
struct CaseReportTests {
    func outcome(_ level: CaseLevel = .township, resolved: Bool = false, failed: Bool = false, finished: String? = nil,
                 deadline: String = "2026-07-15", satisfaction: Satisfaction? = nil, category: String = "land") -> CaseOutcome {
        CaseOutcome(level: level, category: category, reachedResolved: resolved, lastFinishFailed: failed,
                    finishedOn: finished.flatMap { LocalDate($0) }, deadline: LocalDate(deadline)!, satisfaction: satisfaction)
    }

    @Test("the seed county's township centres: 111 resolved of 144 accepted is 77.1%")
    func guyangCounty() {
        let outcomes = (0..<144).map { index in
            index < 111 ? outcome(resolved: true, finished: "2026-07-10") : index < 130 ? outcome(failed: true, finished: "2026-07-20") : outcome()
        }
        let figures = CaseReport.figures(outcomes)
        #expect(figures.total == { var counts = CaseCounts(); counts.accepted = 144; counts.resolved = 111; counts.unresolved = 19; return counts }())
        #expect(CoverageCounts.percentage(figures.total.resolved, of: figures.total.accepted) == 77.1)
        // 130 finished, 111 of them by the deadline (the 19 failures came after it).
        #expect(figures.finished == 130)
        #expect(CoverageCounts.percentage(figures.onTime, of: figures.finished) == 85.4)
    }

    @Test("on-time counts finishing on the deadline day; satisfaction counts basically satisfied")
    func rates() {
        let figures = CaseReport.figures([
            outcome(.village, resolved: true, finished: "2026-07-15", satisfaction: .satisfied),
            outcome(.village, resolved: true, finished: "2026-07-16", satisfaction: .basicallySatisfied),
            outcome(.county, failed: true, finished: "2026-07-01", satisfaction: .dissatisfied, category: "labour"),
            outcome(.county, category: "labour"),
        ])
        #expect("\(figures.finished) \(figures.onTime) \(figures.followedUp) \(figures.satisfied)" == "3 2 3 2")
        #expect(CoverageCounts.percentage(figures.onTime, of: figures.finished) == 66.7)
        #expect(CoverageCounts.percentage(figures.satisfied, of: figures.followedUp) == 66.7)
        #expect(figures.byLevel["village"]?.resolved == 2)
        #expect(figures.byLevel["county"]?.unresolved == 1)
        #expect(figures.byCategory["labour"]?.accepted == 2)
    }

    @Test("the report from the ledger: cases accepted in the period under the unit, rates and overdue cases")
    func fromTheLedger() async throws {
        let database = try await smallCountyDatabase()
        let seeds = try SeedDirectory([
            "people.csv": "id,name\nP3,调解员\n",
            "duties.csv": "person_id,role,unit_code,since,until\nP3,county_admin,C,2025-01-01,\n",
        ])
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        let day = Date(timeIntervalSince1970: 1_782_784_800) // 2026-06-30
        let admin = Actor.person("P3")
        let a = try await database.fileCase(NewCase(title: "a", category: "land", unitCode: "G1", source: .walkIn), by: admin, now: day)
        let b = try await database.fileCase(NewCase(title: "b", category: "family", unitCode: "V2", source: .phone), by: admin, now: day)
        let c = try await database.fileCase(NewCase(title: "c", category: "land", unitCode: "G2", source: .letter, level: .township), by: admin, now: day)
        for step in [CaseActionInput(.start), CaseActionInput(.resolve), CaseActionInput(.feedback, note: "答复"),
                     CaseActionInput(.followUp, satisfaction: .dissatisfied), CaseActionInput(.close),
                     CaseActionInput(.reopen), CaseActionInput(.fail)] {
            _ = try await database.act(onCase: a.id, step, by: admin, now: day)
        }
        let report = try await database.caseReport(unitCode: "T1", from: LocalDate("2026-06-01")!, to: LocalDate("2026-07-31")!)
        #expect("\(report.total.accepted) \(report.total.resolved) \(report.total.unresolved)" == "2 1 1")
        #expect(report.resolutionRate == 50)
        #expect(report.overdue.map(\.id) == [c.id])
        #expect(try await database.caseReport(from: LocalDate("2026-06-01")!, to: LocalDate("2026-07-31")!).total.accepted == 3)
        #expect(try await database.caseReport(from: LocalDate("2026-07-01")!, to: LocalDate("2026-07-31")!).total.accepted == 0)
        #expect(b.unitCode == "V2")
        await #expect(throws: GridbookError.invalid(field: "from", problem: "2026-08-01 is after to (2026-07-31)")) {
            try await database.caseReport(from: LocalDate("2026-08-01")!, to: LocalDate("2026-07-31")!)
        }
    }
}

@Suite("The risk report")
struct RiskReportTests {
    @Test("risks by level and status under a unit, and those not reviewed on time")
    func report() async throws {
        let database = try await smallCountyDatabase()
        let day = Date(timeIntervalSince1970: 1_782_784_800) // 2026-06-30
        let red = try await database.addRisk(NewRisk(householdCode: "H3", category: "fraud", level: .red, title: "诈骗电话", source: .patrol),
                                       by: .person("P1"), now: day)
        let blue = try await database.addRisk(NewRisk(householdCode: "H1", category: "safety", level: .blue, title: "电线老化", source: .patrol),
                                        by: .person("P1"), now: day)
        _ = try await database.updateRisk(id: blue.id, status: .monitoring, now: day)
        _ = try await database.addRisk(NewRisk(householdCode: "H7", category: "land", level: .red, title: "界址", source: .patrol),
                                 by: .person("P2"), now: day)
        let report = try await database.riskReport(unitCode: "T1", asOf: LocalDate("2026-07-05"))
        #expect(report.total == 2)
        #expect(report.byLevel["red"] == ["open": 1, "monitoring": 0, "resolved": 0, "promoted": 0])
        #expect(report.byLevel["blue"]?["monitoring"] == 1)
        #expect(report.reviewOverdue.map(\.id) == [red.id])
        #expect(try await database.riskReport(asOf: LocalDate("2026-07-05")).total == 3)
    }
}
