/// How far back a digest looks: the centres' rhythm of daily analysis, weekly review and monthly
/// dispatch (日分析、周研判、月调度).
public enum DigestPeriod: String, Codable, Sendable, CaseIterable {
    case daily, weekly, monthly

    /// The days (both ends included) a digest read on `on` covers; every period ends before `on`,
    /// the day it is read, so that it is over and its figures no longer move:
    /// - daily: from the last working day before `on` to the day before `on` (a Monday's digest
    ///   covers Friday, Saturday and Sunday; a Tuesday's, Monday), so that the digests of one
    ///   working day after another leave no day out;
    /// - weekly: the last whole week, Monday to Sunday, that ended before `on`;
    /// - monthly: the last whole calendar month that ended before `on`.
    /// The day a digest or a ranking is read on: `on`, or today; never a day after today (a
    /// period is made of days that are over).
    public static func readOn(_ on: LocalDate?, today: LocalDate) throws -> LocalDate {
        let on = on ?? today
        guard on <= today else {
            throw GridbookError.invalid(field: "on", problem: "\(on) is after today (\(today)); a digest covers days that are over")
        }
        return on
    }

    public func span(readOn on: LocalDate, calendar: WorkCalendar) -> (from: LocalDate, to: LocalDate) {
        let to = on.adding(days: -1)
        switch self {
        case .daily:
            return (calendar.previousWorkingDay(before: on), to)
        case .weekly:
            let sunday = on.adding(days: -on.weekday)
            return (sunday.adding(days: -6), sunday)
        case .monthly:
            // The day before the first of `on`'s month, and the first of that day's month.
            let lastDay = on.adding(days: -on.components.day)
            return (lastDay.adding(days: 1 - lastDay.components.day), lastDay)
        }
    }

    /// The days of the triage list (every report and case not yet dispatched) read on `on`: the
    /// last working day before `on` up to the day before `on`, whatever the period.
    public static func triageSpan(readOn on: LocalDate, calendar: WorkCalendar) -> (from: LocalDate, to: LocalDate) {
        DigestPeriod.daily.span(readOn: on, calendar: calendar)
    }
}
