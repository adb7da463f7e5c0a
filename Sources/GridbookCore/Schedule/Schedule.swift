import GRDB
import GRDBSQLite

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
    /// Swift and, through ``addDueOnFunction(_:)``, in SQL (the due list pages by it).
    static func dueOn(registeredOn: LocalDate, lastMet: LocalDate?, intervalDays: Int) -> LocalDate {
        (lastMet ?? registeredOn).adding(days: intervalDays)
    }

    /// Adds `gridbook_due_on(registered_on, last_met, interval_days)` to a connection:
    /// ``dueOn(registeredOn:lastMet:intervalDays:)`` for SQL, so that the due list can page by
    /// the rule's own due date; NULL when the registration date or the interval is missing.
    /// Through SQLite's C API: it runs once per household of a due list, where GRDB's
    /// `DatabaseFunction` (an array of values per call) would cost more than the query.
    static func addDueOnFunction(_ db: Database) throws {
        let code = sqlite3_create_function_v2(db.sqliteConnection, "gridbook_due_on", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                              nil, { context, _, arguments in
            guard let arguments, let registeredOn = Schedule.sqlDate(arguments[0]),
                  sqlite3_value_type(arguments[2]) == SQLITE_INTEGER else { return sqlite3_result_null(context) }
            let dueOn = Schedule.dueOn(registeredOn: registeredOn, lastMet: Schedule.sqlDate(arguments[1]),
                              intervalDays: Int(sqlite3_value_int64(arguments[2])))
            dueOn.withText { text in
                sqlite3_result_text(context, text.baseAddress, Int32(text.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            }
        }, nil, nil, nil)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "gridbook_due_on") }
    }

    /// A `YYYY-MM-DD` text argument of an SQL function, or nil.
    fileprivate static func sqlDate(_ value: OpaquePointer?) -> LocalDate? {
        guard sqlite3_value_type(value) == SQLITE_TEXT, let text = sqlite3_value_text(value) else { return nil }
        return LocalDate(bytes: UnsafeBufferPointer(start: text, count: Int(sqlite3_value_bytes(value))))
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
        var inputs: [ScheduleInput] = []
        try forEachInput(db, under: unit, asOf: asOf, page: page) { inputs.append($0) }
        return inputs
    }

    /// ``inputs(_:under:asOf:page:)`` one at a time, none kept: what a county's roll-up reads,
    /// a million households at ten times the county, in the memory of one.
    static func forEachInput(_ db: Database, under unit: Unit, asOf: LocalDate, page: PageRequest? = nil,
                             _ body: (ScheduleInput) throws -> Void) throws {
        var tail: SQL = ""
        if let page {
            if let after = try page.recordCursor(db, inList: { Self.holds(unit, household: $0) }) { tail = "AND h.code > \(after) " }
            tail += "ORDER BY h.code LIMIT \(page.limit + 1)"
        }
        // The whole county needs no filter (and reads faster without one).
        let households = query(under: unit.level == .county && page == nil ? nil : unit, asOf: asOf,
                               details: unit.level == .grid || unit.level == .block, tail: tail)
        try read(db, "WITH RECURSIVE \(Hierarchy.subtreeCTE(of: unit)) \(households)", body)
    }

    /// Whether the household `code` is under `unit` (a query of one boolean): what a page's cursor
    /// is checked against, so that it never tells whether a household elsewhere exists.
    private static func holds(_ unit: Unit, household code: String) -> SQL {
        """
        WITH RECURSIVE \(Hierarchy.subtreeCTE(of: unit))
        SELECT EXISTS (SELECT 1 FROM households h WHERE h.code = \(code) AND \(Hierarchy.householdCondition(unit, alias: "h")))
        """
    }

    /// ``forEachInput(_:under:asOf:page:_:)`` with each household's latest met visit as of an
    /// `earlier` date too (the start of a period ending on `asOf`), read in the same pass: from
    /// `households.last_met_on` when that is not after `earlier`, else from the visit log.
    static func forEachInput(_ db: Database, under unit: Unit, asOf: LocalDate, earlier: LocalDate,
                             _ body: (ScheduleInput, _ lastMetEarlier: LocalDate?) throws -> Void) throws {
        let households = query(under: unit.level == .county ? nil : unit, asOf: asOf,
                               details: unit.level == .grid || unit.level == .block, earlier: earlier)
        try RawRows.forEach(db, "WITH RECURSIVE \(Hierarchy.subtreeCTE(of: unit)) \(households)") { row in
            guard let input = input(row) else { return }
            try body(input, row.date(7))
        }
    }

    /// The schedule input of one household as of `asOf`; nil when it was not registered yet.
    static func input(_ db: Database, household code: String, asOf: LocalDate) throws -> ScheduleInput? {
        try read(db, query(household: code, asOf: asOf)).first
    }

    /// One page of the households under `unit` due before `before` (nil: any time) on `date`, by due date, then
    /// code, read in SQL: `limit` + 1 of them after the cursor (`due_on|code`).
    ///
    /// A household with no met visit after `date` is due on its stored `due_on`, read in due
    /// order from the index (households_grid_due); the few met after it (a list for a past
    /// date) have theirs worked out from the visit log.
    static func duePage(_ db: Database, under unit: Unit, on date: LocalDate, before: LocalDate?,
                        page: PageRequest) throws -> [ScheduleInput] {
        let dueBefore: SQL = before.map { "due_on < \($0)" } ?? "1"
        var after: SQL = "1"
        if let parts = try page.cursorParts(2) {
            guard let dueOn = LocalDate(parts[0]), try Bool.fetchOne(db, SQLRequest<Bool>(literal: Self.holds(unit, household: parts[1]))) == true
            else { throw page.badCursor }
            after = "(due_on, code) > (\(dueOn), \(parts[1]))"
        }
        let households = Hierarchy.householdCondition(unit, alias: "h")
        let due: SQL = """
            WITH RECURSIVE \(Hierarchy.subtreeCTE(of: unit)),
            stored AS (
                SELECT h.code, h.grid_code, h.registered_on, h.last_met_on AS last_met, h.interval_days, h.due_on
                FROM households h
                WHERE \(households) AND h.registered_on <= \(date) AND \(LastMet.storedHolds(asOf: date))
            ),
            recomputed AS (
                SELECT code, grid_code, registered_on, last_met,
                       interval_days, gridbook_due_on(registered_on, last_met, interval_days) AS due_on
                FROM (SELECT h.code, h.grid_code, h.registered_on, h.interval_days,
                             \(LastMet.sql(household: "h.code", onOrBefore: date)) AS last_met
                      FROM households h WHERE \(households) AND h.registered_on <= \(date) AND NOT \(LastMet.storedHolds(asOf: date)))
            ),
            due AS (
                SELECT * FROM stored WHERE \(dueBefore) AND \(after)
                UNION ALL
                SELECT * FROM recomputed WHERE \(dueBefore) AND \(after)
            )
            SELECT code, grid_code, NULL, NULL, registered_on, last_met, interval_days, due_on
            FROM due ORDER BY due_on, code LIMIT \(page.limit + 1)
            """
        return try read(db, due)
    }

    /// A household's interval as SQL: the smallest `interval_days` of its categories, else
    /// `general`'s (SPEC section 3), for the household whose code is `household` (an SQL expression).
    static func intervalSQL(household: SQL) -> SQL {
        """
        COALESCE((SELECT MIN(c.interval_days) FROM household_categories hc JOIN categories c ON c.code = hc.category_code
                  WHERE hc.household_code = \(household)),
                 (SELECT interval_days FROM categories WHERE code = \(Category.generalCode)))
        """
    }

    /// The households' schedule inputs as columns `code, grid_code, block_code, head_name,
    /// registered_on, last_met, interval_days`: under `unit` (nil: every household; inside
    /// ``Hierarchy/subtreeCTE(of:)``), or the one household `household`; registered by `asOf`.
    /// With `earlier`, an eighth column `last_met_earlier`: the latest met visit on or before it.
    private static func query(under unit: Unit? = nil, household: String? = nil, asOf: LocalDate,
                              details: Bool = true, earlier: LocalDate? = nil, tail: SQL = "") -> SQL {
        let households: SQL = if let household { "h.code = \(household)" }
            else if let unit { Hierarchy.householdCondition(unit, alias: "h") } else { "1" }
        // Block and head of household are only shown for a grid's or a block's own households.
        let detailColumns: SQL = details ? "h.block_code, h.head_name" : "NULL, NULL"
        let earlierColumn: SQL = earlier.map { earlier in
            """
            ,
                CASE WHEN \(LastMet.storedHolds(asOf: earlier)) THEN h.last_met_on
                     ELSE \(LastMet.sql(household: "h.code", onOrBefore: earlier))
                END AS last_met_earlier
            """
        } ?? ""
        return """
            SELECT h.code, h.grid_code, \(detailColumns), h.registered_on,
                CASE WHEN \(LastMet.storedHolds(asOf: asOf)) THEN h.last_met_on
                     ELSE \(LastMet.sql(household: "h.code", onOrBefore: asOf))
                END AS last_met,
                h.interval_days\(earlierColumn)
            FROM households h
            WHERE h.registered_on <= \(asOf) AND \(households)
            \(tail)
            """
    }

    /// The inputs a query of ``query(under:household:asOf:details:tail:)``'s columns reads.
    private static func read(_ db: Database, _ query: SQL) throws -> [ScheduleInput] {
        var inputs: [ScheduleInput] = []
        try read(db, query) { inputs.append($0) }
        return inputs
    }

    /// The same, one input at a time.
    private static func read(_ db: Database, _ query: SQL, _ body: (ScheduleInput) throws -> Void) throws {
        try RawRows.forEach(db, query) { row in
            if let input = input(row) { try body(input) }
        }
    }

    /// The input a row of those columns holds.
    private static func input(_ row: RawRows) -> ScheduleInput? {
        guard let code = row.text(0), let gridCode = row.text(1), let registeredOn = row.date(4) else { return nil }
        return ScheduleInput(
            householdCode: code,
            gridCode: gridCode,
            blockCode: row.text(2),
            headName: row.text(3) ?? "",
            registeredOn: registeredOn,
            intervalDays: row.int(6) ?? 0,
            lastMet: row.date(5)
        )
    }
}
