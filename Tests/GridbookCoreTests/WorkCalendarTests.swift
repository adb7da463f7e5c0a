import Foundation
import Testing
@testable import GridbookCore

/// The 2026 National Day and Mid-Autumn arrangement: 1–7 October off, Sunday 20 September and
/// Saturday 10 October worked instead.
let nationalDay2026 = WorkCalendar(
    holidays: Set((1...7).compactMap { LocalDate(year: 2026, month: 10, day: $0) }),
    workdays: [LocalDate("2026-09-20")!, LocalDate("2026-10-10")!]
)

@Suite("Working days")
struct WorkCalendarTests {
    func day(_ text: String) -> LocalDate { LocalDate(text)! }

    @Test("Monday to Friday, minus holidays, plus make-up days; weekdays from day numbers")
    func workingDays() {
        #expect(day("2026-12-07").weekday == 1)
        #expect(day("2026-12-06").weekday == 7)
        #expect(day("1970-01-01").weekday == 4)
        #expect(day("1969-12-29").weekday == 1)
        let days = ["2026-09-19", "2026-09-20", "2026-09-30", "2026-10-01", "2026-10-07", "2026-10-08", "2026-10-10", "2026-10-11"]
        #expect(days.map { nationalDay2026.isWorkingDay(day($0)) } == [false, true, true, false, false, true, true, false])
    }

    @Test("a deadline across the National Day week and its make-up Saturday, across a weekend, from a holiday")
    func deadlines() {
        // From Tuesday 29 September, 7 working days: 30 Sep, 8, 9, 10 (Saturday, worked), 12, 13, 14 October.
        #expect(nationalDay2026.adding(workingDays: 7, to: day("2026-09-29")) == day("2026-10-14"))
        #expect(nationalDay2026.workingDays(after: day("2026-09-29"), through: day("2026-10-14")) == 7)
        // Across a weekend: Friday + 1 is Monday; + 5 the next Friday.
        #expect(nationalDay2026.adding(workingDays: 1, to: day("2026-11-27")) == day("2026-11-30"))
        #expect(nationalDay2026.adding(workingDays: 5, to: day("2026-11-27")) == day("2026-12-04"))
        // Accepted on a holiday: the first working day after it.
        #expect(nationalDay2026.adding(workingDays: 1, to: day("2026-10-03")) == day("2026-10-08"))
        #expect(nationalDay2026.adding(workingDays: 0, to: day("2026-10-03")) == day("2026-10-03"))
        #expect(nationalDay2026.workingDays(after: day("2026-10-14"), through: day("2026-09-29")) == 0)
        // The working day before: over a weekend, over the holiday week, onto a make-up Saturday.
        #expect(nationalDay2026.previousWorkingDay(before: day("2026-11-30")) == day("2026-11-27"))
        #expect(nationalDay2026.previousWorkingDay(before: day("2026-10-08")) == day("2026-09-30"))
        #expect(nationalDay2026.previousWorkingDay(before: day("2026-10-12")) == day("2026-10-10"))
        // A policy in working days counts the same way; in calendar days, as SPEC section 3.
        #expect(DeadlinePolicy(calendar: nationalDay2026, inWorkingDays: true).deadline(from: day("2026-09-29"), days: 7) == day("2026-10-14"))
        #expect(DeadlinePolicy(calendar: nationalDay2026).deadline(from: day("2026-09-29"), days: 7) == day("2026-10-06"))
    }
}

@Suite("Supervision cards")
struct SupervisionRuleTests {
    func day(_ text: String) -> LocalDate { LocalDate(text)! }

    /// A village case accepted on Friday 27 November 2026, deadline Friday 4 December.
    func dispute(_ status: CaseStatus, assignee: String? = nil) -> DisputeCase {
        DisputeCase(id: "2026-000001", title: "宅基地纠纷", category: "land", parties: "", source: .walkIn, reportedAt: nil, riskId: nil,
                    unitCode: "G1", level: .village, status: status, track: .mediation, assignee: assignee, deadline: day("2026-12-04"),
                    acceptedAt: "2026-11-27T02:00:00Z", finishedAt: nil, feedbackGiven: false, satisfaction: nil)
    }

    func cards(_ dispute: DisputeCase, on today: String, workingDays: Bool = false) -> [String] {
        Supervision.cards(for: dispute, acceptedOn: day("2026-11-27"), takenUp: dispute.assignee != nil, today: day(today),
                          policy: DeadlinePolicy(calendar: nationalDay2026, inWorkingDays: workingDays))
            .map { "\($0.color.rawValue): \($0.reason)" }
    }

    @Test("yellow when not dispatched by the first working day after acceptance (Monday for a Friday)")
    func undispatched() {
        #expect(cards(dispute(.accepted), on: "2026-11-30") == [])
        #expect(cards(dispute(.accepted), on: "2026-12-01") == ["yellow: not dispatched by 2026-11-30, the first working day after acceptance"])
        #expect(cards(dispute(.assigned, assignee: "调委会"), on: "2026-12-01") == [])
    }

    @Test("yellow at 80% of the limit unfinished, red past the deadline, none once finished")
    func limits() {
        let assigned = dispute(.assigned, assignee: "调委会")
        // 7 days: 5 passed is 71%, 6 passed is 86%.
        #expect(cards(assigned, on: "2026-12-02") == [])
        #expect(cards(assigned, on: "2026-12-03") == ["yellow: 6 of its 7 days have passed and it is not finished"])
        #expect(cards(assigned, on: "2026-12-04") == ["yellow: 7 of its 7 days have passed and it is not finished"])
        #expect(cards(assigned, on: "2026-12-05") == ["yellow: 8 of its 7 days have passed and it is not finished",
                                                     "red: past its deadline 2026-12-04 and not finished"])
        #expect(cards(dispute(.resolved, assignee: "调委会"), on: "2026-12-05") == [])
        #expect(cards(dispute(.unresolved, assignee: "调委会"), on: "2026-12-05") == [])
        // In working days the limit is 5 (Monday to Friday): 3 passed is 60%, 4 is 80%.
        #expect(cards(assigned, on: "2026-12-02", workingDays: true) == [])
        #expect(cards(assigned, on: "2026-12-03", workingDays: true) == ["yellow: 4 of its 5 working days have passed and it is not finished"])
    }
}
