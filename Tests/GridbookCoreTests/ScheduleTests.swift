import Foundation
import Testing
@testable import GridbookCore

@Suite("The schedule rule (SPEC section 3)")
struct ScheduleTests {
    let registered = LocalDate("2026-01-01")!

    @Test("a household due today is covered, not overdue")
    func dueTodayIsCovered() {
        let state = Schedule.state(registeredOn: registered, lastMet: LocalDate("2026-06-23"), intervalDays: 7, on: LocalDate("2026-06-30")!)
        #expect(state.dueOn == LocalDate("2026-06-30"))
        #expect(state.isCovered)
        #expect(!state.isOverdue)
        #expect(state.overdueDays == 0)
    }

    @Test("a household due yesterday is overdue by one day and not covered")
    func dueYesterdayIsOverdue() {
        let state = Schedule.state(registeredOn: registered, lastMet: LocalDate("2026-06-22"), intervalDays: 7, on: LocalDate("2026-06-30")!)
        #expect(state.dueOn == LocalDate("2026-06-29"))
        #expect(!state.isCovered)
        #expect(state.isOverdue)
        #expect(state.overdueDays == 1)
    }

    @Test("a household never met is due from its registration and never covered")
    func neverMet() {
        let state = Schedule.state(registeredOn: registered, lastMet: nil, intervalDays: 90, on: LocalDate("2026-03-01")!)
        #expect(state.dueOn == LocalDate("2026-04-01"))
        #expect(!state.isCovered)
        #expect(!state.isOverdue)
        #expect(state.neverVisited)
        let later = Schedule.state(registeredOn: registered, lastMet: nil, intervalDays: 90, on: LocalDate("2026-04-11")!)
        #expect(later.overdueDays == 10)
    }

    @Test("dates parse strictly and count days across leap years")
    func localDates() {
        #expect(LocalDate("2026-02-30") == nil)
        #expect(LocalDate("2026-2-3") == nil)
        #expect(LocalDate("2026-13-01") == nil)
        #expect(LocalDate("2024-02-29")?.description == "2024-02-29")
        #expect(LocalDate("2028-02-28")!.adding(days: 1).description == "2028-02-29")
        #expect(LocalDate("2026-12-31")!.adding(days: 1).description == "2027-01-01")
        #expect(LocalDate("1970-01-01")!.dayNumber == 0)
        #expect(LocalDate("2026-03-02")!.days(since: LocalDate("2026-02-27")!) == 3)
    }

    @Test("a UTC time near midnight falls on the next local day in Asia/Shanghai")
    func utcNearMidnight() async throws {
        var calendar = LocalCalendar(timeZone: try #require(TimeZone(identifier: "Asia/Shanghai")))
        let late = try #require(Timestamp("2026-03-01T17:30:00Z"))
        #expect(calendar.localDate(of: late).description == "2026-03-02")
        let early = try #require(Timestamp("2026-03-01T15:59:59Z"))
        #expect(calendar.localDate(of: early).description == "2026-03-01")
        let offset = try #require(Timestamp("2026-03-02T00:10:00+08:00"))
        #expect(calendar.localDate(of: offset).description == "2026-03-02")
        #expect(offset.epochSeconds == late.epochSeconds - 4800)
    }

    @Test("timestamps need a full date, a time and an offset")
    func timestamps() {
        #expect(Timestamp("2026-03-01T17:30:00") == nil)
        #expect(Timestamp("2026-03-01") == nil)
        #expect(Timestamp("2026-02-30T10:00:00+08:00") == nil)
        #expect(Timestamp("2026-03-01T24:00:00Z") == nil)
        #expect(Timestamp("2026-03-01T17:30:00.123+0800")?.epochSeconds == Timestamp("2026-03-01T09:30:00Z")?.epochSeconds)
        #expect(Timestamp("2026-03-01T17:30+08:00")?.epochSeconds == Timestamp("2026-03-01T09:30:00Z")?.epochSeconds)
    }
}

@Suite("Schedule inputs from the database")
struct ScheduleDatabaseTests {
    @Test("household states as of a date: two categories, absent visits, late registration, later visits")
    func statesAsOfDate() async throws {
        let database = try await smallCountyDatabase()
        let asOf = LocalDate("2026-06-30")!
        let county = try await database.unit(code: "C")
        let states = try await database.read { db in
            try Schedule.inputs(db, under: county, asOf: asOf).map { ($0.householdCode, $0.state(on: asOf)) }
        }
        let byCode = Dictionary(uniqueKeysWithValues: states)
        // H6 registered after the as-of date is left out.
        #expect(states.map(\.0) == ["H1", "H2", "H3", "H4", "H5", "H7", "H8"])
        // Two categories: the shorter interval (7 of elderly, not 30 of hardship).
        #expect(byCode["H2"]?.intervalDays == 7)
        #expect(byCode["H2"]?.isCovered == true)
        // An absent visit does not count.
        #expect(byCode["H5"]?.lastMet == nil)
        #expect(byCode["H5"]?.dueOn == LocalDate("2025-04-01"))
        // A met visit after the as-of date (2026-07-01 local) is ignored.
        #expect(byCode["H7"]?.lastMet == LocalDate("2026-03-01"))
        #expect(byCode["H7"]?.overdueDays == 31)
        // 2026-06-29T16:30Z is 2026-06-30 local.
        #expect(byCode["H8"]?.lastMet == LocalDate("2026-06-30"))
        // No category: general's 90 days.
        #expect(byCode["H1"]?.intervalDays == 90)
        #expect(byCode["H1"]?.dueOn == LocalDate("2026-08-30"))
    }

    @Test("one pass reads the latest met visit at two dates: stored when not after a date, else from the visit log")
    func latestMetAtTwoDates() async throws {
        let database = try await smallCountyDatabase()
        let county = try await database.unit(code: "C")
        let lastMet = try await database.read { db in
            var lastMet: [String] = []
            try Schedule.forEachInput(db, under: county, asOf: LocalDate("2026-06-30")!, earlier: LocalDate("2026-06-22")!) { input, earlier in
                lastMet.append("\(input.householdCode) \(input.lastMet?.description ?? "-") \(earlier?.description ?? "-")")
            }
            return lastMet.sorted()
        }
        // H2 and H8 were first met after the earlier date; H7 was met again after both dates.
        #expect(lastMet == ["H1 2026-06-01 2026-06-01", "H2 2026-06-23 -", "H3 2026-06-22 2026-06-22", "H4 - -", "H5 - -",
                            "H7 2026-03-01 2026-03-01", "H8 2026-06-30 -"])
    }

    @Test("snake_case columns become the records' property names, as Foundation converts them")
    func snakeCaseColumns() {
        let columns = ["household_code", "id", "last_met_on", "_private_key", "trailing_", "already", "two__parts"]
        #expect(columns.map(SnakeCaseColumns.convert) == ["householdCode", "id", "lastMetOn", "_privateKey", "trailing_", "already", "twoParts"])
        #expect(SnakeCaseColumns.key("review_due").stringValue == "reviewDue")
        #expect(SnakeCaseColumns.key("review_due").stringValue == "reviewDue")
    }

    @Test("the latest met date is kept on the household")
    func lastMetIsMaintained() async throws {
        let database = try await smallCountyDatabase()
        let lastMet = try await database.read { db in
            try Household.fetchAll(db).map { "\($0.code)=\($0.lastMetOn?.description ?? "-")" }
        }
        #expect(lastMet == ["H1=2026-06-01", "H2=2026-06-23", "H3=2026-06-22", "H4=-", "H5=-", "H6=-",
                            "H7=2026-07-01", "H8=2026-06-30"])
    }
}
