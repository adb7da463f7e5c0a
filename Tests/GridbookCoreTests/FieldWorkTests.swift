import Foundation
import GRDB
import Testing
@testable import GridbookCore

@Suite("Logging visits")
struct VisitLogTests {
    let id = "aaaaaaaa-0000-4000-8000-000000000001"

    func visit(_ household: String = "H3", by visitor: String = "P1", at time: String = "2026-06-30T09:00:00+08:00",
               outcome: VisitOutcome = .met, note: String = "", id: String? = nil) -> NewVisit {
        NewVisit(id: id, householdCode: household, visitorId: visitor, visitedAt: time, method: .door, outcome: outcome, note: note)
    }

    @Test("a met visit is stored and moves the household's latest met date and due date")
    func logMet() async throws {
        let database = try await smallCountyDatabase()
        let result = try await database.logVisit(visit(id: id), now: testNow)
        #expect(result == .created(Visit(id: id, householdCode: "H3", visitorId: "P1", visitedAt: "2026-06-30T09:00:00+08:00",
                                         visitedOn: LocalDate("2026-06-30")!, method: .door, outcome: .met)))
        #expect(try await database.read { try Household.fetchOne($0, key: "H3")?.lastMetOn } == LocalDate("2026-06-30"))
        let due = try await database.dueList(unitCode: "G1", on: LocalDate("2026-06-30"), horizon: 0)
        #expect(due.map(\.householdCode) == [])
    }

    @Test("an absent visit is stored but does not reset the schedule")
    func absentDoesNotReset() async throws {
        let database = try await smallCountyDatabase()
        _ = try await database.logVisit(visit(outcome: .absent), now: testNow)
        #expect(try await database.read { try Household.fetchOne($0, key: "H3")?.lastMetOn } == LocalDate("2026-06-22"))
        #expect(try await tableCounts(database)["visits"] == 8)
    }

    @Test("the same id with the same content is accepted again without a second record; other content is a conflict")
    func idempotentIds() async throws {
        let database = try await smallCountyDatabase()
        let first = try await database.logVisit(visit(id: id), now: testNow)
        let again = try await database.logVisit(visit(id: id.uppercased()), now: testNow)
        #expect(again == .existing(first.visit))
        #expect(try await tableCounts(database)["visits"] == 8)
        await #expect(throws: GridbookError.conflict("visit \(id) is already stored with other content")) {
            try await database.logVisit(visit(outcome: .absent, id: id), now: testNow)
        }
        #expect(try await tableCounts(database)["visits"] == 8)
    }

    @Test("refusals name the problem and write nothing", arguments: [
        (NewVisit(householdCode: "H99", visitorId: "P1", visitedAt: "2026-06-30T09:00:00+08:00", method: .door, outcome: .met),
         GridbookError.notFound("household H99")),
        (NewVisit(householdCode: "H3", visitorId: "P9", visitedAt: "2026-06-30T09:00:00+08:00", method: .door, outcome: .met),
         GridbookError.notFound("person P9")),
        (NewVisit(householdCode: "H3", visitorId: "P1", visitedAt: "2026-06-30 09:00", method: .door, outcome: .met),
         GridbookError.invalid(field: "visited_at", problem: "2026-06-30 09:00 is not an ISO 8601 time with offset (2026-03-02T09:15:00+08:00)")),
        (NewVisit(householdCode: "H3", visitorId: "P1", visitedAt: "2026-12-01T00:06:00Z", method: .door, outcome: .met),
         GridbookError.invalid(field: "visited_at", problem: "2026-12-01T00:06:00Z is in the future")),
        (NewVisit(householdCode: "H3", visitorId: "P2", visitedAt: "2026-06-30T09:00:00+08:00", method: .door, outcome: .met),
         GridbookError.notAllowed("P2 holds no duty covering household H3 on 2026-06-30")),
        (NewVisit(householdCode: "H3", visitorId: "P1", visitedAt: "2024-06-30T09:00:00+08:00", method: .door, outcome: .met),
         GridbookError.notAllowed("P1 holds no duty covering household H3 on 2024-06-30")),
        (NewVisit(id: "not-a-uuid", householdCode: "H3", visitorId: "P1", visitedAt: "2026-06-30T09:00:00+08:00", method: .door, outcome: .met),
         GridbookError.invalid(field: "id", problem: "not-a-uuid is not a UUID")),
    ])
    func refusals(_ new: NewVisit, _ expected: GridbookError) async throws {
        let database = try await smallCountyDatabase()
        let before = try await tableCounts(database)
        await #expect(throws: expected) { try await database.logVisit(new, now: testNow) }
        #expect(try await tableCounts(database) == before)
    }

    @Test("a retry with the same instant written another way, or spaces around the note, is the same visit")
    func sameInstant() async throws {
        let database = try await smallCountyDatabase()
        let first = try await database.logVisit(visit(note: "良好", id: id), now: testNow)
        #expect(try await database.logVisit(visit(at: "2026-06-30T01:00:00Z", note: " 良好 ", id: id), now: testNow) == .existing(first.visit))
        #expect(try await tableCounts(database)["visits"] == 8)
    }

    @Test("a duty that ends on the visit's date no longer covers it; police and county duties do")
    func dutyEdges() async throws {
        let database = try await smallCountyDatabase()
        let seeds = try SeedDirectory([
            "people.csv": "id,name\nP3,警官\nP4,旗领导\nP5,离任网格员\n",
            "duties.csv": "person_id,role,unit_code,since,until\nP3,police,G1,2025-01-01,\nP4,county_admin,C,2025-01-01,\nP5,grid_member,G1,2025-01-01,2026-06-30\n",
        ])
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        _ = try await database.logVisit(visit("H1", by: "P3"), now: testNow)
        _ = try await database.logVisit(visit("H7", by: "P4"), now: testNow)
        _ = try await database.logVisit(visit("H1", by: "P5", at: "2026-06-29T09:00:00+08:00"), now: testNow)
        await #expect(throws: GridbookError.notAllowed("P5 holds no duty covering household H1 on 2026-06-30")) {
            try await database.logVisit(visit("H1", by: "P5"), now: testNow)
        }
    }

    @Test("a time a few minutes ahead is allowed (a phone's clock runs fast)")
    func clockSkew() async throws {
        let database = try await smallCountyDatabase()
        _ = try await database.logVisit(visit(at: "2026-12-01T00:04:00Z"), now: testNow)
        #expect(try await database.read { try Household.fetchOne($0, key: "H3")?.lastMetOn } == LocalDate("2026-12-01"))
    }

    @Test("a duty above the grid covers its households; a block head covers only the block's")
    func dutiesAbove() async throws {
        let database = try await smallCountyDatabase()
        let seeds = try SeedDirectory([
            "people.csv": "id,name\nP3,王镇长\nP4,李楼长\n",
            "duties.csv": "person_id,role,unit_code,since,until\nP3,township_staff,T1,2025-01-01,\nP4,block_head,B1,2025-01-01,\n",
        ])
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        _ = try await database.logVisit(visit("H4", by: "P3"), now: testNow)
        _ = try await database.logVisit(visit("H2", by: "P4"), now: testNow)
        await #expect(throws: GridbookError.notAllowed("P4 holds no duty covering household H1 on 2026-06-30")) {
            try await database.logVisit(visit("H1", by: "P4"), now: testNow)
        }
        await #expect(throws: GridbookError.notAllowed("P3 holds no duty covering household H7 on 2026-06-30")) {
            try await database.logVisit(visit("H7", by: "P3"), now: testNow)
        }
    }

    @Test("visits under a unit between two dates, by date")
    func listVisits() async throws {
        let database = try await smallCountyDatabase()
        let visits = try await database.visits(under: "V1", from: LocalDate("2026-06-02"), to: LocalDate("2026-06-30"))
        #expect(visits.items.map { "\($0.visitedOn) \($0.householdCode) \($0.outcome.rawValue)" } == [
            "2026-06-20 H5 absent", "2026-06-22 H3 met", "2026-06-23 H2 met",
        ])
        #expect(try await database.visits(under: "B1").items.map(\.householdCode) == ["H2"])
    }
}

@Suite("The due list")
struct DueListTests {
    @Test("households due before the date plus the horizon, by due date then code")
    func dueOrder() async throws {
        let database = try await smallCountyDatabase()
        let items = try await database.dueList(unitCode: "C", on: LocalDate("2026-06-30"), horizon: 7)
        #expect(items.map { "\($0.householdCode) \($0.dueOn) \($0.overdueDays) \($0.intervalDays) \($0.lastMet?.description ?? "-")" } == [
            "H5 2025-04-01 455 90 -",
            "H7 2026-05-30 31 90 2026-03-01",
            "H3 2026-06-29 1 7 2026-06-22",
            "H2 2026-06-30 0 7 2026-06-23",
        ])
        let json = String(decoding: try JSONOutput.encode(Page(items: Array(items.prefix(1)))), as: UTF8.self)
        #expect(json == """
            {
              "items" : [
                {
                  "due_on" : "2025-04-01",
                  "grid_code" : "G2",
                  "household_code" : "H5",
                  "interval_days" : 90,
                  "last_met" : null,
                  "overdue_days" : 455
                }
              ],
              "next" : null
            }
            """)
    }

    @Test("a longer horizon reaches households due later; a negative one is refused")
    func horizon() async throws {
        let database = try await smallCountyDatabase()
        #expect(try await database.dueList(unitCode: "G2", on: LocalDate("2026-06-30"), horizon: 31).map(\.householdCode) == ["H5", "H4"])
        #expect(try await database.dueList(unitCode: "G2", on: LocalDate("2026-06-30"), horizon: 30).map(\.householdCode) == ["H5"])
        await #expect(throws: GridbookError.invalid(field: "horizon", problem: "-1 is not a number of days from 0 to 3650")) {
            try await database.dueList(unitCode: "G2", on: LocalDate("2026-06-30"), horizon: -1)
        }
        await #expect(throws: GridbookError.invalid(field: "horizon", problem: "9223372036854775807 is not a number of days from 0 to 3650")) {
            try await database.dueList(unitCode: "G2", on: LocalDate("2026-06-30"), horizon: Int.max)
        }
    }

    /// The due list of the county on 2026-06-30, a week ahead, as `code due_on overdue interval`.
    private func dueLines(_ database: AppDatabase, on date: String = "2026-06-30") async throws -> [String] {
        try await database.dueList(unitCode: "C", on: LocalDate(date), horizon: 7)
            .map { "\($0.householdCode) \($0.dueOn) \($0.overdueDays) \($0.intervalDays)" }
    }

    @Test("a visit moves the stored due date at once; a list for the day before reads the visit log instead")
    func visitMovesDueDate() async throws {
        let database = try await smallCountyDatabase()
        _ = try await database.logVisit(NewVisit(householdCode: "H3", visitorId: "P1", visitedAt: "2026-06-30T09:00:00+08:00",
                                                 method: .door, outcome: .met), now: testNow)
        #expect(try await dueLines(database) == ["H5 2025-04-01 455 90", "H7 2026-05-30 31 90", "H2 2026-06-30 0 7"])
        // On 06-29, H8 (met on 06-30 local) has never been met: due since its registration.
        #expect(try await dueLines(database, on: "2026-06-29") == [
            "H5 2025-04-01 454 90", "H8 2025-04-01 454 90", "H7 2026-05-30 30 90", "H3 2026-06-29 0 7", "H2 2026-06-30 0 7",
        ])
    }

    @Test("a category's new interval and a household's new tags move the due list at the next import")
    func importMovesDueDates() async throws {
        let database = try await smallCountyDatabase()
        let categories = try SeedDirectory(["categories.csv": "code,label,interval_days\nelderly,独居老人,14\n"])
        _ = try await database.importSeeds(from: categories.url, options: ImportOptions(now: testNow))
        // H3 met 06-22 + 14; H2 (elderly 14, hardship 30) met 06-23 + 14 = 07-07, not before 07-07.
        #expect(try await dueLines(database) == ["H5 2025-04-01 455 90", "H7 2026-05-30 31 90", "H3 2026-07-06 0 14"])
        let households = try SeedDirectory(["households.csv": """
            code,grid_code,block_code,address,head_name,phone,members,tags,registered_on
            H1,G1,,红旗村一组1号,李明,13900001111,3,elderly,2025-01-01

            """])
        _ = try await database.importSeeds(from: households.url, options: ImportOptions(now: testNow))
        // H1 met 06-01 + 14 = 06-15: overdue by 15 days.
        #expect(try await dueLines(database) == ["H5 2025-04-01 455 90", "H7 2026-05-30 31 90", "H1 2026-06-15 15 14", "H3 2026-07-06 0 14"])
    }

    @Test("a horizon past 9999-12-31 takes in every household, not none")
    func lastDate() async throws {
        let database = try await smallCountyDatabase()
        let items = try await database.dueList(unitCode: "C", on: LocalDate("9999-12-28"), horizon: 7)
        #expect(items.map { "\($0.householdCode) \($0.dueOn)" } == [
            "H5 2025-04-01", "H3 2026-06-29", "H2 2026-06-30", "H4 2026-07-30",
            "H1 2026-08-30", "H8 2026-09-28", "H7 2026-09-29", "H6 2026-10-03",
        ])
    }

    @Test("the grid members on duty are named for each grid")
    func gridMembers() async throws {
        let database = try await smallCountyDatabase()
        #expect(try await database.gridMembers(of: ["G1", "G2", "G3"], on: LocalDate("2026-06-30")!) == ["G1": ["张伟"], "G3": ["巴特尔"]])
    }
}

@Suite("The pairing report")
struct PairingReportTests {
    @Test("gaps in a county with known holes, counting active duties only")
    func gaps() async throws {
        let database = try await smallCountyDatabase()
        let seeds = try SeedDirectory([
            "people.csv": "id,name\nP3,警官\nP4,辅警\nP5,旧网格员\n",
            "duties.csv": """
                person_id,role,unit_code,since,until
                P3,police,G1,2025-01-01,
                P3,police,G3,2025-01-01,2026-01-01
                P4,auxiliary_police,V2,2025-01-01,
                P5,grid_member,G2,2024-01-01,2025-12-31

                """,
            "party_groups.csv": "code,name,leader_id,grid_codes,member_ids\nPG1,党小组,P1,G1;G3,\n",
        ])
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        let report = try await database.pairingReport(unitCode: "C", on: LocalDate("2026-06-30"))
        #expect(report.gridsWithoutGridMember.map(\.code) == ["G2"])
        #expect(report.gridsWithoutPolice.map(\.code) == ["G2", "G3"])
        #expect(report.gridsWithoutPartyGroup.map(\.code) == ["G2"])
        #expect(report.villagesWithoutAuxiliaryPolice.map(\.code) == ["V1"])
        #expect(report.blocksWithoutHead == [UnitRef(code: "B1", name: "一号楼栋")])
        let t2 = try await database.pairingReport(unitCode: "T2", on: LocalDate("2026-06-30"))
        #expect(t2.gridsWithoutPolice.map(\.code) == ["G3"])
        #expect(t2.blocksWithoutHead == [])
        let json = String(decoding: try JSONOutput.encode(t2), as: UTF8.self)
        #expect(json.contains("\"grids_without_police\" : [\n    {\n      \"code\" : \"G3\",\n      \"name\" : \"第一网格\"\n    }\n  ]"))
    }
}
