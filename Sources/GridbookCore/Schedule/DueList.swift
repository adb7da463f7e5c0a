import GRDB

/// A household due for a visit (SPEC section 6, `GET /api/v1/due`).
public struct DueItem: Codable, Equatable, Sendable {
    public var householdCode: String
    public var gridCode: String
    public var dueOn: LocalDate
    /// Days past `dueOn` on the list's date; 0 when not yet overdue.
    public var overdueDays: Int
    public var intervalDays: Int
    /// The latest `met` visit on or before the list's date, or nil.
    public var lastMet: LocalDate?
}

/// A page of a list, as every JSON list is shaped (SPEC section 6).
public struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    public var items: [Item]
    /// The cursor of the next page, or nil on the last.
    public var next: String?

    /// Creates a page.
    public init(items: [Item], next: String? = nil) {
        self.items = items
        self.next = next
    }

    /// A page from a list read with one row more than `limit`: `next` is the cursor of the last
    /// item kept when that extra row came back.
    public init(fetchedOneMore items: [Item], limit: Int, cursor: (Item) -> String) {
        let page = Array(items.prefix(limit))
        self.init(items: page, next: items.count > limit ? page.last.map(cursor) : nil)
    }
}

extension AppDatabase {
    /// The longest look ahead a due list takes, in days (ten years).
    public static let maxHorizon = 3650

    /// One page of the households under a unit due before `on + horizon` days (default 7): what
    /// a grid member walks today. Ordered by due date, then household code (SPEC section 6);
    /// `next` is the last item's `due_on|household_code`. The page is read in SQL, by the
    /// schedule rule's own due date (``Schedule/duePage(_:under:on:before:page:)``).
    public func dueList(unitCode: String, on date: LocalDate? = nil, horizon: Int = 7, page: PageRequest) async throws -> Page<DueItem> {
        guard (0...Self.maxHorizon).contains(horizon) else {
            throw GridbookError.invalid(field: "horizon", problem: "\(horizon) is not a number of days from 0 to \(Self.maxHorizon)")
        }
        return try await read { db in
            guard let unit = try Hierarchy.unit(db, code: unitCode) else { throw GridbookError.notFound("unit \(unitCode)") }
            var calendar = try Settings.calendar(db)
            let date = date ?? calendar.today(now: clock.now())
            // Past the last date the calendar writes (9999-12-31), every household is due before it.
            let before = date.adding(days: horizon)
            let cutoff = before <= LocalDate.latest ? before : nil
            let items = try Schedule.duePage(db, under: unit, on: date, before: cutoff, page: page).map { input in
                let state = input.state(on: date)
                return DueItem(householdCode: input.householdCode, gridCode: input.gridCode, dueOn: state.dueOn,
                               overdueDays: state.overdueDays, intervalDays: state.intervalDays, lastMet: state.lastMet)
            }
            return Page(fetchedOneMore: items, limit: page.limit) { "\($0.dueOn)|\($0.householdCode)" }
        }
    }

    /// Every item of ``dueList(unitCode:on:horizon:page:)``, page after page.
    public func dueList(unitCode: String, on date: LocalDate? = nil, horizon: Int = 7) async throws -> [DueItem] {
        let date = if let date { date } else { try await today() }
        var items: [DueItem] = []
        var page = try PageRequest(limit: PageRequest.maximumLimit)
        while true {
            let next = try await dueList(unitCode: unitCode, on: date, horizon: horizon, page: page)
            items += next.items
            guard let after = next.next else { return items }
            page = try PageRequest(limit: PageRequest.maximumLimit, after: after)
        }
    }

    /// The names of the grid members on duty in each of `grids` on `date`, by grid code.
    public func gridMembers(of grids: some Sequence<String>, on date: LocalDate) async throws -> [String: [String]] {
        let codes = Array(Set(grids))
        return try await read { db in try Self.gridMembers(db, of: codes, on: date) }
    }

    /// ``gridMembers(of:on:)`` inside a read already begun.
    static func gridMembers(_ db: Database, of grids: some Sequence<String>, on date: LocalDate) throws -> [String: [String]] {
        let codes = Array(Set(grids))
        var members: [String: [String]] = [:]
        // In slices, to stay below SQLite's limit on bound arguments.
        for start in stride(from: 0, to: codes.count, by: 500) {
            let slice = codes[start..<min(codes.count, start + 500)]
            let request: SQLRequest<Row> = """
                SELECT duties.unit_code, people.name FROM duties JOIN people ON people.id = duties.person_id
                WHERE duties.role = 'grid_member' AND duties.unit_code IN \(slice)
                  AND \(Duty.activeSQL("duties", on: date))
                ORDER BY duties.unit_code, people.name
                """
            for row in try request.fetchAll(db) { members[row[0], default: []].append(row[1]) }
        }
        return members
    }
}
