import Foundation
import GRDB
import Testing
@testable import GridbookCore

@Suite("The risk register")
struct RiskTests {
    /// 2026-06-30T02:00:00Z, 10:00 in Shanghai.
    let now = Date(timeIntervalSince1970: 1_782_784_800)

    func risk(_ level: RiskLevel = .orange, household: String? = "H3", unit: String? = nil, category: String = "land",
              title: String = "宅基地边界纠纷") -> NewRisk {
        NewRisk(unitCode: unit, householdCode: household, category: category, level: level, title: title, source: .patrol)
    }

    @Test("a risk takes its household's grid, a readable id and a review date by level")
    func create() async throws {
        let database = try await smallCountyDatabase()
        let first = try await database.addRisk(risk(.orange), by: .person("P1"), now: now)
        let second = try await database.addRisk(risk(.red, household: nil, unit: "G3", category: "fraud", title: "冒充公检法"), by: .person("P2"), now: now)
        #expect("\(first.id) \(first.unitCode) \(first.reviewDue) \(first.reportedBy) \(first.status.rawValue)" == "R2026-000001 G1 2026-07-03 P1 open")
        #expect("\(second.id) \(second.unitCode) \(second.reviewDue)" == "R2026-000002 G3 2026-07-01")
        let blue = try await database.addRisk(risk(.blue), by: .person("P1"), now: now)
        let yellow = try await database.addRisk(risk(.yellow), by: .person("P1"), now: now)
        #expect([blue.reviewDue, yellow.reviewDue].map(\.description) == ["2026-07-30", "2026-07-07"])
        #expect(try await database.events().map(\.type) == ["risk.created", "risk.created", "risk.created", "risk.created"])
    }

    @Test("bad risks are refused and nothing is written", arguments: [
        (NewRisk(householdCode: "H3", category: "nosuch", level: .red, title: "x", source: .patrol),
         GridbookError.invalid(field: "category", problem: "unknown issue category nosuch")),
        (NewRisk(householdCode: "H3", category: "land", level: .red, title: "  ", source: .patrol),
         GridbookError.invalid(field: "title", problem: "is empty")),
        (NewRisk(unitCode: "V1", category: "land", level: .red, title: "x", source: .patrol),
         GridbookError.invalid(field: "unit_code", problem: "V1 is a village, not a grid")),
        (NewRisk(unitCode: "G3", householdCode: "H3", category: "land", level: .red, title: "x", source: .patrol),
         GridbookError.invalid(field: "unit_code", problem: "household H3 is in grid G1, not G3")),
        (NewRisk(householdCode: "H99", category: "land", level: .red, title: "x", source: .patrol),
         GridbookError.notFound("household H99")),
        (NewRisk(category: "land", level: .red, title: "x", source: .patrol),
         GridbookError.invalid(field: "unit_code", problem: "is empty (a grid, or a household)")),
    ])
    func refusals(_ new: NewRisk, _ expected: GridbookError) async throws {
        let database = try await smallCountyDatabase()
        await #expect(throws: expected) { try await database.addRisk(new, by: .person("P1"), now: now) }
        #expect(try await database.risks().items == [])
        #expect(try await database.events() == [])
    }

    @Test("a visit's findings are stored with it, in one transaction")
    func findings() async throws {
        let database = try await smallCountyDatabase()
        let visit = NewVisit(householdCode: "H3", visitorId: "P1", visitedAt: "2026-06-30T09:00:00+08:00", method: .door, outcome: .met,
                             findings: [NewRisk(category: "mental_health", level: .orange, title: "停药", source: .patrol)])
        guard case .created(let stored, let found) = try await database.logVisit(visit, by: .person("P1"), now: now) else {
            Issue.record("the visit was not created")
            return
        }
        #expect(found.map { "\($0.householdCode ?? "") \($0.unitCode) \($0.source.rawValue) \($0.visitId ?? "") \($0.reportedBy)" } == [
            "H3 G1 visit \(stored.id) P1",
        ])
        #expect(try await database.events().map(\.type) == ["visit.logged", "risk.created"])
        // A bad finding refuses the whole visit.
        var bad = visit
        bad.findings = [NewRisk(category: "nosuch", level: .red, title: "x", source: .visit)]
        let before = try await tableCounts(database)
        await #expect(throws: GridbookError.invalid(field: "category", problem: "unknown issue category nosuch")) {
            try await database.logVisit(bad, by: .person("P1"), now: now)
        }
        #expect(try await tableCounts(database) == before)
        #expect(try await database.risks().items.count == 1)
    }

    @Test("status moves open ⇄ monitoring → resolved → open; others are refused with the allowed moves")
    func transitions() async throws {
        let database = try await smallCountyDatabase()
        let id = try await database.addRisk(risk(), by: .person("P1"), now: now).id
        #expect(try await database.updateRisk(id: id, status: .monitoring, now: now).status == .monitoring)
        #expect(try await database.updateRisk(id: id, status: .open, now: now).status == .open)
        #expect(try await database.updateRisk(id: id, status: .resolved, level: .blue, now: now).level == .blue)
        await #expect(throws: GridbookError.conflict("risk \(id) is resolved; it can move to open, not monitoring")) {
            try await database.updateRisk(id: id, status: .monitoring, now: now)
        }
        await #expect(throws: GridbookError.conflict("risk \(id) is resolved; it can move to open, not promoted")) {
            try await database.updateRisk(id: id, status: .promoted, now: now)
        }
        #expect(try await database.updateRisk(id: id, status: .open, now: now).status == .open)
        await #expect(throws: GridbookError.notFound("risk R2026-000099")) { try await database.updateRisk(id: "R2026-000099", status: .open) }
    }

    @Test("a follow-up is recorded and moves the next review; risks not reviewed on time are listed")
    func followUpsAndOverdue() async throws {
        let database = try await smallCountyDatabase()
        let red = try await database.addRisk(risk(.red), by: .person("P1"), now: now)          // due 2026-07-01
        let blue = try await database.addRisk(risk(.blue, household: "H7"), by: .person("P2"), now: now) // due 2026-07-30
        let later = LocalDate("2026-07-05")
        #expect(try await database.risks(RiskFilter(reviewOverdue: true), today: later).items.map(\.id) == [red.id])
        let reviewed = try await database.followUpRisk(id: red.id, person: "P1", note: "已上门核实", now: Date(timeIntervalSince1970: 1_783_216_800))
        #expect(reviewed.reviewDue == LocalDate("2026-07-06"))
        #expect(try await database.risks(RiskFilter(reviewOverdue: true), today: later).items == [])
        #expect(try await database.risk(id: red.id).followUps.map { "\($0.personId) \($0.note)" } == ["P1 已上门核实"])
        #expect(try await database.risks(RiskFilter(unitCode: "T2")).items.map(\.id) == [blue.id])
        #expect(try await database.risks(RiskFilter(level: .red)).items.map(\.id) == [red.id])
        await #expect(throws: GridbookError.invalid(field: "note", problem: "is empty")) {
            try await database.followUpRisk(id: red.id, person: "P1", note: " ")
        }
    }
}
