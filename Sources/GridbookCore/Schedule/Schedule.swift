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
        let dueOn = dueOn(registeredOn: registeredOn, lastMet: lastMet, intervalDays: intervalDays)
        let overdueDays = max(0, date.days(since: dueOn))
        return ScheduleState(
            intervalDays: intervalDays,
            lastMet: lastMet,
            dueOn: dueOn,
            overdueDays: overdueDays,
            isCovered: lastMet != nil && dueOn >= date
        )
    }

    /// due_on = (last_met, else registered_on) + interval: the one place this sum is made, in
    /// Swift and, through ``dueOnFunction``, in SQL (the due list pages by it).
    static func dueOn(registeredOn: LocalDate, lastMet: LocalDate?, intervalDays: Int) -> LocalDate {
        (lastMet ?? registeredOn).adding(days: intervalDays)
    }

    /// `gridbook_due_on(registered_on, last_met, interval_days)`: ``dueOn(registeredOn:lastMet:intervalDays:)``
    /// for SQL, on every Gridbook connection; NULL when the registration date is not a date.
    static let dueOnFunction = DatabaseFunction("gridbook_due_on", argumentCount: 3, pure: true) { values in
        guard let registeredOn = String.fromDatabaseValue(values[0]).flatMap(LocalDate.init),
              let intervalDays = Int.fromDatabaseValue(values[2]) else { return nil }
        let lastMet = String.fromDatabaseValue(values[1]).flatMap(LocalDate.init)
        return dueOn(registeredOn: registeredOn, lastMet: lastMet, intervalDays: intervalDays).description
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
        let county = unit.level == .county && page == nil
        // The whole county needs no filter (and reads faster without one). Its intervals come in
        // one pass over every household's categories; a smaller unit looks up each household's.
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
        var tail: SQL = ""
        if let page {
            if let after = try page.codeCursor() { tail = "AND h.code > \(after) " }
            tail += "ORDER BY h.code LIMIT \(page.limit + 1)"
        }
        let general = try generalInterval(db)
        let households = query(under: county ? nil : unit, asOf: asOf, general: general, intervals: !county,
                               details: unit.level == .grid || unit.level == .block, tail: tail)
        return try read(db, "WITH RECURSIVE \(Hierarchy.subtreeCTE(of: unit.code)) \(households)") { code in
            intervals[code] ?? general
        }
    }

    /// The schedule input of one household as of `asOf`; nil when it was not registered yet.
    static func input(_ db: Database, household code: String, asOf: LocalDate) throws -> ScheduleInput? {
        let general = try generalInterval(db)
        return try read(db, query(household: code, asOf: asOf, general: general)) { _ in general }.first
    }

    /// One page of the households under `unit` due before `before` on `date`, by due date, then
    /// code, read in SQL: `limit` + 1 of them after the cursor (`due_on|code`).
    static func duePage(_ db: Database, under unit: Unit, on date: LocalDate, before: LocalDate,
                        page: PageRequest) throws -> [ScheduleInput] {
        var conditions: [SQL] = ["due_on < \(before)"]
        if let parts = try page.cursorParts(2) {
            guard let dueOn = LocalDate(parts[0]) else { throw page.badCursor }
            conditions.append("(due_on, code) > (\(dueOn), \(parts[1]))")
        }
        let general = try generalInterval(db)
        // Materialized, so that each household's interval and latest met visit are read once.
        let due: SQL = """
            WITH RECURSIVE \(Hierarchy.subtreeCTE(of: unit.code)),
            inputs AS MATERIALIZED (\(query(under: unit, asOf: date, general: general, details: false))),
            due AS MATERIALIZED (SELECT *, gridbook_due_on(registered_on, last_met, interval_days) AS due_on FROM inputs)
            SELECT * FROM due WHERE \(conditions.joined(operator: .and))
            ORDER BY due_on, code LIMIT \(page.limit + 1)
            """
        return try read(db, due) { _ in general }
    }

    private static func generalInterval(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT interval_days FROM categories WHERE code = ?"),
                         arguments: [Category.generalCode]) ?? 90
    }

    /// The households' schedule inputs as columns `code, grid_code, block_code, head_name,
    /// registered_on, last_met, interval_days`: under `unit` (nil: every household; inside
    /// ``Hierarchy/subtreeCTE(of:)``), or the one household `household`; registered by `asOf`.
    /// Without `intervals`, `interval_days` is NULL (the caller knows them).
    private static func query(under unit: Unit? = nil, household: String? = nil, asOf: LocalDate, general: Int,
                              intervals: Bool = true, details: Bool = true, tail: SQL = "") -> SQL {
        let households: SQL = if let household { "h.code = \(household)" }
            else if let unit { Hierarchy.householdCondition(unit, alias: "h") } else { "1" }
        let interval: SQL = intervals ? """
            COALESCE((SELECT MIN(c.interval_days) FROM household_categories hc JOIN categories c ON c.code = hc.category_code
                      WHERE hc.household_code = h.code), \(general))
            """ : "NULL"
        // Block and head of household are only shown for a grid's or a block's own households.
        let detailColumns: SQL = details ? "h.block_code, h.head_name" : "NULL, NULL"
        return """
            SELECT h.code, h.grid_code, \(detailColumns), h.registered_on,
                CASE WHEN h.last_met_on IS NULL OR h.last_met_on <= \(asOf) THEN h.last_met_on
                     ELSE \(LastMet.sql(household: "h.code", onOrBefore: asOf))
                END AS last_met,
                \(interval) AS interval_days
            FROM households h
            WHERE h.registered_on <= \(asOf) AND \(households)
            \(tail)
            """
    }

    /// The inputs a query of ``query(under:household:asOf:general:intervals:details:tail:)``'s
    /// columns reads; `interval` gives a household's interval where the query has none.
    private static func read(_ db: Database, _ query: SQL, interval: (String) -> Int) throws -> [ScheduleInput] {
        var inputs: [ScheduleInput] = []
        try RawRows.forEach(db, query) { row in
            guard let code = row.text(0), let gridCode = row.text(1), let registeredOn = row.date(4) else { return }
            inputs.append(ScheduleInput(
                householdCode: code,
                gridCode: gridCode,
                blockCode: row.text(2),
                headName: row.text(3) ?? "",
                registeredOn: registeredOn,
                intervalDays: row.int(6) ?? interval(code),
                lastMet: row.date(5)
            ))
        }
        return inputs
    }
}
