import GRDB

/// The county's working days: Monday to Friday, minus the public holidays and plus the make-up
/// working days (调休) of the `holidays` table (seed file `holidays.csv`: `date,kind,name`, kind
/// `holiday` or `workday`). Every count of working days (deadlines, cards, the triage list's
/// "previous working day") goes through this one type.
public struct WorkCalendar: Sendable, Equatable {
    /// Days off that would otherwise be working days.
    public let holidays: Set<LocalDate>
    /// Weekend days worked instead (make-up days).
    public let workdays: Set<LocalDate>

    /// A calendar with these holidays and make-up working days.
    public init(holidays: Set<LocalDate> = [], workdays: Set<LocalDate> = []) {
        self.holidays = holidays
        self.workdays = workdays
    }

    /// Whether people work on the date.
    public func isWorkingDay(_ date: LocalDate) -> Bool {
        if workdays.contains(date) { return true }
        if holidays.contains(date) { return false }
        return date.weekday <= 5
    }

    /// The `count`-th working day after `date` (`date` itself not counted): a limit of 1 working
    /// day from a Friday acceptance ends on Monday, or later across a holiday.
    public func adding(workingDays count: Int, to date: LocalDate) -> LocalDate {
        var day = date
        var left = count
        // A county's calendar never has more than a few weeks off in a row; the bound only
        // keeps a malformed calendar (every day a holiday) from looping.
        var guardDays = count * 7 + 400
        while left > 0, guardDays > 0 {
            day = day.adding(days: 1)
            if isWorkingDay(day) { left -= 1 }
            guardDays -= 1
        }
        return day
    }

    /// The working days after `start` up to and including `end` (0 when `end` is not after `start`).
    public func workingDays(after start: LocalDate, through end: LocalDate) -> Int {
        guard end > start else { return 0 }
        var count = 0
        var day = start.adding(days: 1)
        while day <= end {
            if isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }

    /// The last working day before `date`.
    public func previousWorkingDay(before date: LocalDate) -> LocalDate {
        var day = date.adding(days: -1)
        var guardDays = 400
        while !isWorkingDay(day), guardDays > 0 {
            day = day.adding(days: -1)
            guardDays -= 1
        }
        return day
    }

    /// The county's calendar as stored.
    public static func load(_ db: Database) throws -> WorkCalendar {
        var holidays: Set<LocalDate> = []
        var workdays: Set<LocalDate> = []
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT date, kind FROM holidays")) {
            guard let date = LocalDate(row["date"] as String) else { continue }
            if (row["kind"] as String) == "workday" { workdays.insert(date) } else { holidays.insert(date) }
        }
        return WorkCalendar(holidays: holidays, workdays: workdays)
    }
}

/// A row of the work calendar: a day off, or a weekend day worked instead (调休).
public enum HolidayKind: String, Codable, Sendable, CaseIterable {
    case holiday, workday
}

extension LocalDate {
    /// ISO weekday: 1 Monday … 7 Sunday (1970-01-01, day 0, was a Thursday).
    public var weekday: Int {
        ((dayNumber + 3) % 7 + 7) % 7 + 1
    }
}

extension AppDatabase {
    /// The county's work calendar.
    public func workCalendar() async throws -> WorkCalendar {
        try await read { db in try WorkCalendar.load(db) }
    }
}
