import GRDB

/// A household as shown to users, with where it stands on its schedule; phone masked.
public struct HouseholdView: Encodable, Equatable, Sendable {
    /// Where a household stands on its visit schedule on a date.
    public struct ScheduleView: Encodable, Equatable, Sendable {
        public var on: LocalDate
        public var intervalDays: Int
        public var lastMet: LocalDate?
        public var dueOn: LocalDate
        public var overdueDays: Int
        public var covered: Bool
    }

    public var code: String
    public var gridCode: String
    public var blockCode: String?
    public var address: String
    public var headName: String
    /// Masked: 138****1234.
    public var phone: String?
    public var members: Int
    public var tags: [String]
    public var registeredOn: LocalDate
    /// Nil when the household was not yet registered on the date.
    public var schedule: ScheduleView?
}

/// One household as its own page shows it: its view and its latest visits beside its fields.
@dynamicMemberLookup
public struct HouseholdDetail: Encodable, Equatable, Sendable {
    public var household: HouseholdView
    /// The latest visits first.
    public var recentVisits: [Visit]

    /// The household's own fields.
    public subscript<T>(dynamicMember field: KeyPath<HouseholdView, T>) -> T { household[keyPath: field] }

    enum CodingKeys: String, CodingKey { case recentVisits }

    /// Encodes the household's fields with `recent_visits` beside them.
    public func encode(to encoder: any Encoder) throws {
        try household.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(recentVisits, forKey: .recentVisits)
    }
}

extension AppDatabase {
    /// One page of the households under a unit by code (those registered by `date`, default
    /// today), each with its schedule state on `date`; phone numbers masked unless revealed to
    /// `revealTo` (see ``revealing(to:record:_:)``). `next` is the last one's code.
    public func households(under unitCode: String, on date: LocalDate? = nil, revealTo: Caller? = nil,
                           page: PageRequest = .first) async throws -> Page<HouseholdView> {
        let unit = try await unit(code: unitCode)
        let reveal = revealTo != nil
        return try await revealing(to: revealTo, record: ("unit", unitCode)) { db in
            var calendar = try Settings.calendar(db)
            let date = date ?? calendar.today(now: clock.now())
            let inputs = try Schedule.inputs(db, under: unit, asOf: date, page: page)
            let codes = inputs.map(\.householdCode)
            let records = try Household.filter(keys: codes).fetchAll(db)
                .reduce(into: [String: Household]()) { $0[$1.code] = $1 }
            let tags = try self.tags(db, households: codes)
            let views = inputs.compactMap { input in
                records[input.householdCode].map { view($0, tags: tags[$0.code] ?? [], input: input, on: date, reveal: reveal) }
            }
            let page = Page(fetchedOneMore: views, limit: page.limit, cursor: \.code)
            return (page, "phones of \(page.items.count) households")
        }
    }

    /// Reads with `body`; for a caller asking to see personal data in full, checks that their
    /// role may (403 otherwise), on their duties as stored now, then reads and records who saw
    /// what in the audit log, all in one transaction. The one home of the reveal rule (SPEC
    /// section 6: `reveal=true` is audited).
    func revealing<T: Sendable>(to caller: Caller?, record: (type: String, id: String),
                                        _ body: @escaping @Sendable (Database) throws -> (T, String)) async throws -> T {
        guard let caller else { return try await read { db in try body(db).0 } }
        guard caller.may(.revealPersonalData) else {
            throw GridbookError.notAllowed("only \(Permission.revealPersonalData.holders) may reveal personal data")
        }
        let now = clock.now()
        return try await write { db in
            // The caller may have been read a moment ago (a server keeps callers for a few
            // seconds): their role is checked again on the duties of this transaction.
            var calendar = try Settings.calendar(db)
            let today = calendar.today(now: now)
            let roles = Permission.revealPersonalData.roles.map(\.rawValue)
            let request: SQLRequest<Bool> = """
                SELECT EXISTS (SELECT 1 FROM duties WHERE person_id = \(caller.person.id) AND role IN \(roles)
                               AND \(Duty.activeSQL("duties", on: today)))
                """
            guard try request.fetchOne(db) == true else {
                throw GridbookError.notAllowed("only \(Permission.revealPersonalData.holders) may reveal personal data")
            }
            let (value, detail) = try body(db)
            try Audit.record(db, .person(caller.person.id), "personal_data.reveal", record.type, record.id, detail: detail, at: now)
            return value
        }
    }

    /// One household with its schedule state on `date` (default today) and its latest visits;
    /// the phone number in full only for `revealTo` (see ``revealing(to:record:_:)``).
    public func household(code: String, on date: LocalDate? = nil, recentVisits: Int = 10, revealTo: Caller? = nil) async throws -> HouseholdDetail {
        let reveal = revealTo != nil
        return try await revealing(to: revealTo, record: ("household", code)) { db in
            guard let household = try Household.fetchOne(db, key: code) else { throw GridbookError.notFound("household \(code)") }
            var calendar = try Settings.calendar(db)
            let date = date ?? calendar.today(now: clock.now())
            let input = try Schedule.input(db, household: code, asOf: date)
            let view = view(household, tags: try tags(db, households: [code])[code] ?? [], input: input, on: date, reveal: reveal)
            let visits = try Visit.filter(Visit.Columns.householdCode == code && Visit.Columns.visitedOn <= date)
                .order(Visit.Columns.visitedOn.desc, Visit.Columns.visitedAt.desc).limit(recentVisits).fetchAll(db)
            return (HouseholdDetail(household: view, recentVisits: visits), "phone")
        }
    }

    /// The category codes of each of `households`, sorted.
    private func tags(_ db: Database, households: [String]) throws -> [String: [String]] {
        var tags: [String: [String]] = [:]
        let request: SQLRequest<Row> = """
            SELECT household_code, category_code FROM household_categories WHERE household_code IN \(households) ORDER BY 1, 2
            """
        for row in try request.fetchAll(db) { tags[row[0], default: []].append(row[1]) }
        return tags
    }

    private func view(_ household: Household, tags: [String], input: ScheduleInput?, on date: LocalDate, reveal: Bool = false) -> HouseholdView {
        let state = input?.state(on: date)
        return HouseholdView(
            code: household.code, gridCode: household.gridCode, blockCode: household.blockCode, address: household.address,
            headName: household.headName, phone: reveal ? household.phone : household.phone.map(PersonalData.maskPhone), members: household.members,
            tags: tags, registeredOn: household.registeredOn,
            schedule: state.map { .init(on: date, intervalDays: $0.intervalDays, lastMet: $0.lastMet, dueOn: $0.dueOn,
                                        overdueDays: $0.overdueDays, covered: $0.isCovered) }
        )
    }
}
