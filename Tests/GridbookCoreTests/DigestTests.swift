import Foundation
import GRDB
@testable import GridbookCore
import Testing

/// An instant written in UTC, for the digest's hand-made records.
private func at(_ text: String) throws -> Date {
    let stamp = try #require(Timestamp(text))
    return Date(timeIntervalSince1970: TimeInterval(stamp.epochSeconds))
}

private func day(_ text: String) throws -> LocalDate {
    try #require(LocalDate(text))
}

/// The small county of Support.swift, with township staff (P3, of T1) and a county admin (P9)
/// to handle cases, an absent visit to H4 in the week of 2026-06-22, and the week's risks, cases
/// and cards (all times below are UTC; local time is 8 hours later):
///
/// Risks (ids in the order made):
/// - R2026-000001 G1 yellow fraud, reported 2026-06-10: review due 06-17, still open (late).
/// - R2026-000002 G1 blue land, 06-21 23:00 local: before the week.
/// - R2026-000003 G1 red fraud, 06-23: review due 06-24, open (late).
/// - R2026-000004 H7 (G3) orange neighbour, Friday 06-26 09:00 local: open (triage).
/// - R2026-000005 G2 yellow safety, Sunday 06-28 00:30 local: taken into monitoring.
///
/// Cases (village level, 7 days):
/// - 2026-000001 V1, accepted 05-01, resolved 05-10: finished before the week, not counted.
/// - 2026-000002 G1, accepted 06-01, dispatched 06-02 (deadline 06-09): overdue in the week.
/// - 2026-000003 G1, chat_group, reported 06-22 08:50 local, accepted 09:00, responded 09:02
///   (12 minutes), dispatched and resolved in the week.
/// - 2026-000004 V2, accepted 06-24 10:00 local, responded at 12:00 (2 hours), dispatched,
///   failed 06-27.
/// - 2026-000005 G2, accepted Friday 06-26 16:00 local, no response, dispatched only on 06-30.
/// - 2026-000006 G1, reported Friday 06-26 20:00 local, accepted Saturday 06-27 11:00, responded
///   12:00 (16 hours from the report), dispatched Monday 06-29 09:00.
/// - 2026-000007 G3, reported Thursday 06-25 23:00 local, accepted Sunday 06-28 10:00: no
///   response, never dispatched.
///
/// Cards: 2026-000002 red 06-23 08:00 local; 2026-000004 yellow 06-28 00:30 local (UTC 06-27);
/// 2026-000003 yellow 06-29 00:30 local (UTC 06-28, after the week).
private func digestCounty() async throws -> AppDatabase {
    let database = try AppDatabase.inMemory(clock: .fixed(testNow))
    var files = smallCounty
    files["people.csv"]! += "P3,乌云,,\nP9,王旗长,,\n"
    files["duties.csv"]! += "P3,township_staff,T1,2025-01-01,\nP9,county_admin,C,2025-01-01,\n"
    files["visits.csv"]! += "00000000-0000-4000-8000-000000000008,H4,P1,2026-06-24T10:00:00+08:00,door,absent,\n"
    let seeds = try SeedDirectory(files)
    _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))

    let risks: [(String?, String?, String, RiskLevel, String)] = [
        ("G1", nil, "fraud", .yellow, "2026-06-10T02:00:00Z"),
        ("G1", nil, "land", .blue, "2026-06-21T15:00:00Z"),
        ("G1", nil, "fraud", .red, "2026-06-23T02:00:00Z"),
        (nil, "H7", "neighbour", .orange, "2026-06-26T01:00:00Z"),
        ("G2", nil, "safety", .yellow, "2026-06-27T16:30:00Z"),
    ]
    for (index, (unit, household, category, level, time)) in risks.enumerated() {
        _ = try await database.addRisk(NewRisk(unitCode: unit, householdCode: household, category: category, level: level,
                                               title: "风险\(index + 1)", source: .patrol, reportedBy: "P1"), now: try at(time))
    }
    _ = try await database.updateRisk(id: "R2026-000005", status: .monitoring, now: try at("2026-06-28T01:00:00Z"))

    let admin = Actor.person("P9")
    func file(_ unit: String, _ accepted: String, source: CaseSource = .walkIn, reported: String? = nil) async throws {
        _ = try await database.fileCase(NewCase(title: "纠纷 \(accepted)", category: "neighbour", unitCode: unit, source: source,
                                                reportedAt: reported.flatMap { Timestamp($0) }), by: admin, now: try at(accepted))
    }
    func act(_ id: String, _ input: CaseActionInput, _ time: String) async throws {
        _ = try await database.act(onCase: id, input, by: admin, now: try at(time))
    }
    try await file("V1", "2026-05-01T02:00:00Z")
    try await act("2026-000001", CaseActionInput(.start), "2026-05-02T02:00:00Z")
    try await act("2026-000001", CaseActionInput(.resolve), "2026-05-10T02:00:00Z")
    try await file("G1", "2026-06-01T02:00:00Z")
    try await act("2026-000002", CaseActionInput(.dispatch, assignee: "红旗村调委会"), "2026-06-02T02:00:00Z")
    try await file("G1", "2026-06-22T01:00:00Z", source: .chatGroup, reported: "2026-06-22T00:50:00Z")
    try await act("2026-000003", CaseActionInput(.respond, note: "网格员到场"), "2026-06-22T01:02:00Z")
    try await act("2026-000003", CaseActionInput(.dispatch, assignee: "红旗村调委会"), "2026-06-22T03:00:00Z")
    try await act("2026-000003", CaseActionInput(.start), "2026-06-23T01:00:00Z")
    try await act("2026-000003", CaseActionInput(.resolve), "2026-06-25T02:00:00Z")
    try await file("V2", "2026-06-24T02:00:00Z", source: .phone)
    try await act("2026-000004", CaseActionInput(.respond, note: "电话联系双方"), "2026-06-24T04:00:00Z")
    try await act("2026-000004", CaseActionInput(.dispatch, assignee: "乌兰嘎查调委会"), "2026-06-24T05:00:00Z")
    try await act("2026-000004", CaseActionInput(.start), "2026-06-25T01:00:00Z")
    try await act("2026-000004", CaseActionInput(.fail), "2026-06-27T02:00:00Z")
    try await file("G2", "2026-06-26T08:00:00Z")
    try await act("2026-000005", CaseActionInput(.dispatch, assignee: "红旗村调委会"), "2026-06-30T01:00:00Z")
    try await file("G1", "2026-06-27T03:00:00Z", source: .chatGroup, reported: "2026-06-26T12:00:00Z")
    try await act("2026-000006", CaseActionInput(.respond, note: "民警到场"), "2026-06-27T04:00:00Z")
    try await act("2026-000006", CaseActionInput(.dispatch, assignee: "红旗村调委会"), "2026-06-29T01:00:00Z")
    try await file("G3", "2026-06-28T02:00:00Z", source: .chatGroup, reported: "2026-06-25T15:00:00Z")

    try await database.write { db in
        for (id, color, time) in [("2026-000002", CardColor.red, "2026-06-23T00:00:00Z"), ("2026-000004", .yellow, "2026-06-27T16:30:00Z"),
                                  ("2026-000003", .yellow, "2026-06-28T16:30:00Z")] {
            try CaseCard(caseId: id, color: color, givenAt: time, reason: "test").insert(db)
        }
    }
    return database
}

@Suite("Digests")
struct DigestTests {
    @Test("periods: daily from the last working day, weekly Monday to Sunday, monthly the calendar month, each before the day read")
    func periods() throws {
        let plain = WorkCalendar()
        // 2026-06-29 is a Monday.
        #expect(DigestPeriod.daily.span(readOn: try day("2026-06-29"), calendar: plain) == (try day("2026-06-26"), try day("2026-06-28")))
        #expect(DigestPeriod.daily.span(readOn: try day("2026-06-30"), calendar: plain) == (try day("2026-06-29"), try day("2026-06-29")))
        // A holiday on the Friday: Monday's digest goes back to Thursday; a make-up Sunday is the day itself.
        let holiday = WorkCalendar(holidays: [try day("2026-06-26")])
        #expect(DigestPeriod.daily.span(readOn: try day("2026-06-29"), calendar: holiday) == (try day("2026-06-25"), try day("2026-06-28")))
        let makeUp = WorkCalendar(workdays: [try day("2026-06-28")])
        #expect(DigestPeriod.daily.span(readOn: try day("2026-06-29"), calendar: makeUp) == (try day("2026-06-28"), try day("2026-06-28")))
        // National Day 2026: 10-01 to 10-07 off, Saturday 10-10 worked; read on Thursday 10-08.
        let nationalDay = WorkCalendar(holidays: Set((1...7).compactMap { LocalDate(year: 2026, month: 10, day: $0) }),
                                       workdays: [try day("2026-10-10")])
        #expect(DigestPeriod.daily.span(readOn: try day("2026-10-08"), calendar: nationalDay) == (try day("2026-09-30"), try day("2026-10-07")))

        #expect(DigestPeriod.weekly.span(readOn: try day("2026-06-29"), calendar: plain) == (try day("2026-06-22"), try day("2026-06-28")))
        #expect(DigestPeriod.weekly.span(readOn: try day("2026-06-28"), calendar: plain) == (try day("2026-06-15"), try day("2026-06-21")))
        #expect(DigestPeriod.weekly.span(readOn: try day("2026-07-01"), calendar: plain) == (try day("2026-06-22"), try day("2026-06-28")))

        #expect(DigestPeriod.monthly.span(readOn: try day("2026-07-01"), calendar: plain) == (try day("2026-06-01"), try day("2026-06-30")))
        #expect(DigestPeriod.monthly.span(readOn: try day("2026-06-30"), calendar: plain) == (try day("2026-05-01"), try day("2026-05-31")))
        #expect(DigestPeriod.monthly.span(readOn: try day("2026-03-01"), calendar: plain) == (try day("2026-02-01"), try day("2026-02-28")))
        #expect(DigestPeriod.monthly.span(readOn: try day("2027-01-15"), calendar: plain) == (try day("2026-12-01"), try day("2026-12-31")))
    }

    @Test("the weekly digest of the county: visits, coverage, overdue grids, risks, cases, cards, first responses, gaps")
    func weekly() async throws {
        let database = try await digestCounty()
        let digest = try await database.digest(.weekly, unitCode: "C", on: try day("2026-06-29"))
        #expect(digest.period == .weekly)
        #expect(digest.unit == UnitSummary(code: "C", name: "测试县", level: "county"))
        #expect((digest.on, digest.from, digest.to) == (try day("2026-06-29"), try day("2026-06-22"), try day("2026-06-28")))

        // Due as the week began (06-21): H2, H3, H5, H7, H8 (H1 is due 08-30, H4 07-30); met in
        // the week: H2 (06-23) and H3 (06-22), the only households met in it (H4's visit was absent).
        #expect(digest.visits == DigestVisits(due: 5, done: 2, doneRate: 40.0, met: 2))

        // Coverage by the rule: H1 alone covered of 7 on 06-21; H1, H2, H3 on 06-28.
        #expect(digest.coverage.startAsOf == (try day("2026-06-21")))
        #expect(digest.coverage.start.households == 7)
        #expect(digest.coverage.start.covered == 1)
        #expect(digest.coverage.start.coverage == 14.3)
        #expect(digest.coverage.start.overdue == 5)
        #expect(digest.coverage.end.covered == 3)
        #expect(digest.coverage.end.coverage == 42.9)
        #expect(digest.coverage.end.overdue == 3)
        #expect(digest.coverage.change == 28.6)
        #expect(digest.coverage.start == (try await database.coverageReport(unitCode: "C", asOf: try day("2026-06-21")).total))
        #expect(digest.coverage.end == (try await database.coverageReport(unitCode: "C", asOf: try day("2026-06-28")).total))

        // Overdue on 06-28: G3 has H7 (29 days) and H8 (453), G2 has H5 (453, no grid member).
        #expect(digest.overdueByGrid == [
            DigestOverdueGrid(code: "G3", name: "第一网格", overdue: 2, longestOverdueDays: 453, gridMembers: ["巴特尔"]),
            DigestOverdueGrid(code: "G2", name: "第二网格", overdue: 1, longestOverdueDays: 453, gridMembers: []),
        ])

        #expect(digest.risks.found == 3)
        #expect(digest.risks.byLevel == ["red": 1, "orange": 1, "yellow": 1, "blue": 0])
        #expect(digest.risks.byCategory == ["fraud": 1, "neighbour": 1, "safety": 1])
        #expect(digest.risks.notReviewedOnTime.map(\.id) == ["R2026-000003", "R2026-000001"])

        #expect(digest.cases.accepted == 5)
        #expect(digest.cases.dispatched == 2)
        #expect(digest.cases.resolved == 1)
        #expect(digest.cases.unresolved == 1)
        #expect(digest.cases.overdue.map(\.id) == ["2026-000002"])
        #expect(digest.cases.overdue.first?.deadline == (try day("2026-06-09")))

        // The card given at 00:30 on 06-28 local counts; the one at 00:30 on 06-29 does not.
        #expect(digest.cards == DigestCards(yellow: 1, red: 1))

        // 720 s, 7,200 s and 57,600 s; two of the five cases have no response.
        var expected = DigestFirstResponse(times: [])
        expected.cases = 5
        expected.responded = 3
        expected.medianSeconds = 7200
        expected.p90Seconds = 57_600
        expected.within15Minutes = 20.0
        expected.within1Hour = 20.0
        expected.within24Hours = 60.0
        #expect(digest.firstResponse == expected)

        #expect(digest.pairing.gridsWithoutGridMember == [UnitRef(code: "G2", name: "第二网格")])
        #expect(digest.pairing.villagesWithoutAuxiliaryPolice.map(\.code) == ["V1", "V2"])
        #expect(digest.pairing.blocksWithoutHead.map(\.code) == ["B1"])
    }

    @Test("the triage list: Friday to Sunday's reports and cases not dispatched by the end of Monday, oldest report first")
    func triage() async throws {
        let database = try await digestCounty()
        let digest = try await database.digest(.daily, unitCode: "C", on: try day("2026-06-29"))
        #expect((digest.from, digest.to) == (try day("2026-06-26"), try day("2026-06-28")))
        #expect((digest.triage.from, digest.triage.to) == (try day("2026-06-26"), try day("2026-06-28")))
        #expect(digest.triage.asOf == "2026-06-29T16:00:00Z")
        // 2026-000006 was dispatched on Monday morning and R2026-000005 is being monitored: not listed.
        #expect(digest.triage.items == [
            DigestTriageItem(kind: "case", id: "2026-000007", title: "纠纷 2026-06-28T02:00:00Z", unitCode: "G3", category: "neighbour",
                             level: "village", source: "chat_group", reportedAt: "2026-06-25T15:00:00Z"),
            DigestTriageItem(kind: "risk", id: "R2026-000004", title: "风险4", unitCode: "G3", category: "neighbour",
                             level: "orange", source: "patrol", reportedAt: "2026-06-26T01:00:00Z"),
            DigestTriageItem(kind: "case", id: "2026-000005", title: "纠纷 2026-06-26T08:00:00Z", unitCode: "G2", category: "neighbour",
                             level: "village", source: "walk_in", reportedAt: "2026-06-26T08:00:00Z"),
        ])
        // The daily figures are those days'.
        #expect(digest.cases.accepted == 3)
        #expect(digest.risks.found == 2)
        #expect(digest.cases.dispatched == 0)

        // Read on Tuesday, the list is Monday's: nothing was reported or accepted on Monday.
        let tuesday = try await database.digest(.daily, unitCode: "C", on: try day("2026-06-30"))
        #expect(tuesday.triage.items.isEmpty)
        #expect(tuesday.cases.dispatched == 1)
    }

    @Test("a township's digest counts only what lies under it")
    func township() async throws {
        let database = try await digestCounty()
        let digest = try await database.digest(.weekly, unitCode: "T1", on: try day("2026-06-29"))
        // H1 to H5: H1 covered on 06-21; H1, H2, H3 on 06-28; H2, H3, H5 due, H2 and H3 met.
        #expect(digest.visits == DigestVisits(due: 3, done: 2, doneRate: 66.7, met: 2))
        #expect(digest.coverage.start.coverage == 20.0)
        #expect(digest.coverage.end.coverage == 60.0)
        #expect(digest.coverage.change == 40.0)
        #expect(digest.overdueByGrid.map(\.code) == ["G2"])
        #expect(digest.risks.found == 2)
        #expect(digest.cases.accepted == 3)
        #expect(digest.cards == DigestCards(yellow: 0, red: 1))
        #expect(digest.triage.items.map(\.id) == ["2026-000005"])
        #expect(digest.pairing.villagesWithoutAuxiliaryPolice.map(\.code) == ["V1"])
    }

    @Test("first-response figures: nearest-rank median and 90th percentile, shares of every case")
    func firstResponse() {
        let figures = DigestFirstResponse(times: [60, 900, 901, 3600, 86_400, 86_401, nil, 10, 20, 30])
        #expect(figures.cases == 10)
        #expect(figures.responded == 9)
        // Sorted: 10 20 30 60 900 901 3600 86400 86401; ⌈4.5⌉ = 5th, ⌈8.1⌉ = 9th.
        #expect(figures.medianSeconds == 900)
        #expect(figures.p90Seconds == 86_401)
        #expect(figures.within15Minutes == 50.0)
        #expect(figures.within1Hour == 70.0)
        #expect(figures.within24Hours == 80.0)
        let none = DigestFirstResponse(times: [])
        #expect(none.medianSeconds == nil && none.within1Hour == nil && none.cases == 0)
    }

    @Test("a day after today, an unknown unit: refused, nothing written")
    func badInput() async throws {
        let database = try await digestCounty()
        func written() async throws -> [Int] {
            try await database.read { db in
                try ["audit_log", "events", "case_cards", "case_ledger", "risks"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1 }
            }
        }
        let before = try await written()
        // The tests' today is 2026-12-01.
        await #expect(throws: GridbookError.invalid(field: "on", problem: "2026-12-02 is after today (2026-12-01); a digest covers days that are over")) {
            try await database.digest(.daily, unitCode: "C", on: try day("2026-12-02"))
        }
        await #expect(throws: GridbookError.notFound("unit NOPE")) {
            try await database.digest(.weekly, unitCode: "NOPE", on: try day("2026-06-29"))
        }
        // Read today, the digest covers yesterday (a Monday) and is allowed.
        let today = try await database.digest(.daily)
        #expect((today.on, today.from, today.to) == (try day("2026-12-01"), try day("2026-11-30"), try day("2026-11-30")))
        #expect(try await written() == before)
    }
}
