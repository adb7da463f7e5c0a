import GRDB

/// Where a household stands on its visit schedule on a given date.
public struct ScheduleState: Equatable, Sendable {
    /// Days between visits: the smallest interval of the household's categories, else `general`'s.
    public var intervalDays: Int
    /// The local date of the latest `met` visit on or before the date, or nil.
    public var lastMet: LocalDate?
    /// (lastMet, else registered on) + interval.
    public var dueOn: LocalDate
    /// Days past `dueOn`; 0 when not overdue.
    public var overdueDays: Int
    /// Visited within its interval: a `met` visit exists and `dueOn` is not before the date.
    public var isCovered: Bool

    /// `dueOn` is before the date.
    public var isOverdue: Bool { overdueDays > 0 }
    /// No `met` visit on or before the date.
    public var neverVisited: Bool { lastMet == nil }
}

/// What the schedule rule needs to know about one household as of a date.
public struct ScheduleInput: Equatable, Sendable {
    public var householdCode: String
    public var gridCode: String
    /// The household's block; read only when the unit asked about is a grid or a block.
    public var blockCode: String?
    /// The head of household's name; read only when the unit asked about is a grid or a block.
    public var headName: String
    public var registeredOn: LocalDate
    public var intervalDays: Int
    /// The latest `met` visit on or before the as-of date.
    public var lastMet: LocalDate?

    /// The household's schedule state on `date`.
    public func state(on date: LocalDate) -> ScheduleState {
        Schedule.state(registeredOn: registeredOn, lastMet: lastMet, intervalDays: intervalDays, on: date)
    }
}

/// The visit schedule rule of SPEC section 3. Every report, list and endpoint asks this type,
/// and nothing else decides what is due, overdue or covered.
public enum Schedule {
    /// The state of a household on `date` (SPEC section 3):
    /// due_on = (last_met, else registered_on) + interval; overdue when due_on < date;
    /// covered when last_met exists and due_on >= date.
    public static func state(registeredOn: LocalDate, lastMet: LocalDate?, intervalDays: Int, on date: LocalDate) -> ScheduleState {
        let dueOn = (lastMet ?? registeredOn).adding(days: intervalDays)
        let overdueDays = max(0, date.days(since: dueOn))
        return ScheduleState(
            intervalDays: intervalDays,
            lastMet: lastMet,
            dueOn: dueOn,
            overdueDays: overdueDays,
            isCovered: lastMet != nil && dueOn >= date
        )
    }

    /// The schedule inputs of every household under `unit` registered on or before `asOf`,
    /// with visits after `asOf` ignored (in no particular order).
    ///
    /// The interval is the smallest of the household's categories, else `general`'s.
    /// The latest met visit comes from `households.last_met_on` when it is not after `asOf`
    /// (the usual case, a report for today), and from the visit log only otherwise.
    ///
    /// With `page`, only that page of households by code (`limit` + 1 of them after the cursor).
    public static func inputs(_ db: Database, under unit: Unit, asOf: LocalDate, page: PageRequest? = nil) throws -> [ScheduleInput] {
        let general = try Int.fetchOne(db.cachedStatement(sql: "SELECT interval_days FROM categories WHERE code = ?"),
                                       arguments: [Category.generalCode]) ?? 90
        let county = unit.level == .county && page == nil
        // The whole county needs no filter (and reads faster without one). Its intervals come in
        // one pass over every household's categories; a smaller unit looks up each household's.
        let households: SQL = county ? "1" : Hierarchy.householdCondition(unit, alias: "h")
        var intervals: [String: Int] = [:]
        if county {
            try RawRows.forEach(db, """
                SELECT hc.household_code, MIN(c.interval_days)
                FROM household_categories hc JOIN categories c ON c.code = hc.category_code
                GROUP BY hc.household_code
                """) { row in
                if let code = row.text(0), let days = row.int(1) { intervals[code] = days }
            }
        }
        let interval: SQL = county ? "NULL" : """
            (SELECT MIN(c.interval_days) FROM household_categories hc JOIN categories c ON c.code = hc.category_code
             WHERE hc.household_code = h.code)
            """
        // Block and head of household are only shown for a grid's or a block's own households.
        let details: SQL = unit.level == .grid || unit.level == .block ? "h.block_code, h.head_name" : "NULL, NULL"
        var pageSQL: SQL = ""
        if let page {
            if let after = try page.codeCursor() { pageSQL = "AND h.code > \(after) " }
            pageSQL += "ORDER BY h.code LIMIT \(page.limit + 1)"
        }
        let query: SQL = """
            WITH RECURSIVE \(Hierarchy.subtreeCTE(of: unit.code))
            SELECT h.code, h.grid_code, \(details), h.registered_on,
                CASE WHEN h.last_met_on IS NULL OR h.last_met_on <= \(asOf) THEN h.last_met_on
                     ELSE \(LastMet.sql(household: "h.code", onOrBefore: asOf))
                END AS last_met,
                \(interval)
            FROM households h
            WHERE h.registered_on <= \(asOf) AND \(households)
            \(pageSQL)
            """
        var inputs: [ScheduleInput] = []
        try RawRows.forEach(db, query) { row in
            guard let code = row.text(0), let gridCode = row.text(1), let registeredOn = row.date(4) else { return }
            inputs.append(ScheduleInput(
                householdCode: code,
                gridCode: gridCode,
                blockCode: row.text(2),
                headName: row.text(3) ?? "",
                registeredOn: registeredOn,
                intervalDays: row.int(6) ?? intervals[code] ?? general,
                lastMet: row.date(5)
            ))
        }
        return inputs
    }
}
