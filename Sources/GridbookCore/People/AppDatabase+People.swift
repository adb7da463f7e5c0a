import GRDB

/// A person as shown to users: personal data masked.
public struct PersonView: Encodable, Equatable, Sendable {
    public var id: String
    public var name: String
    /// Masked: 138****1234.
    public var phone: String?
    /// Masked: the first 6 and last 4 characters.
    public var idNumber: String?
    public var duties: [DutyView]

    /// The view of a person and their duties, with phone and ID number masked.
    init(_ person: Person, duties: [DutyView]) {
        id = person.id
        name = person.name
        phone = person.phone.map(PersonalData.maskPhone)
        idNumber = person.idNumber.map(PersonalData.maskIDNumber)
        self.duties = duties
    }
}

/// A duty as shown to users.
public struct DutyView: Codable, Equatable, Sendable {
    public var role: Role
    public var unitCode: String
    public var unitName: String
    public var since: LocalDate
    public var until: LocalDate?
    /// Whether the duty holds today: started, and not ended.
    public var active: Bool
}

extension AppDatabase {
    /// People by id, each with their duties; only those with an active duty at or under `unitCode` when given.
    /// Phone and ID numbers are masked.
    public func people(under unitCode: String? = nil) async throws -> [PersonView] {
        try await read { db in
            let duties = try dutyViews(db)
            var people = try Person.order(Column("id")).fetchAll(db)
            if let unitCode {
                let units = try Hierarchy.codes(atOrUnder: unitCode, db)
                people = people.filter { person in duties[person.id]?.contains { $0.active && units.contains($0.unitCode) } ?? false }
            }
            return people.map { PersonView($0, duties: duties[$0.id] ?? []) }
        }
    }

    /// One person with their duties, personal data masked.
    public func person(id: String) async throws -> PersonView {
        try await read { db in
            guard let person = try Person.fetchOne(db, key: id) else { throw GridbookError.notFound("person \(id)") }
            return PersonView(person, duties: try dutyViews(db, person: id)[id] ?? [])
        }
    }

    private func dutyViews(_ db: Database, person: String? = nil) throws -> [String: [DutyView]] {
        var calendar = try Settings.calendar(db)
        let today = calendar.today(now: clock.now())
        let filter: SQL = person.map { "WHERE duties.person_id = \($0)" } ?? ""
        var views: [String: [DutyView]] = [:]
        for row in try SQLRequest<Row>(literal: """
            SELECT duties.person_id, duties.role, duties.unit_code, units.name, duties.since, duties.until
            FROM duties JOIN units ON units.code = duties.unit_code \(filter)
            ORDER BY duties.person_id, duties.since, duties.role, duties.unit_code
            """).fetchAll(db) {
            guard let role = Role(rawValue: row[1]), let since = LocalDate.fromDatabaseValue(row[4]) else { continue }
            let until = LocalDate.fromDatabaseValue(row[5])
            let duty = Duty(personId: row[0], role: role, unitCode: row[2], since: since, until: until)
            views[row[0], default: []].append(DutyView(role: role, unitCode: row[2], unitName: row[3], since: since,
                                                       until: until, active: duty.isActive(on: today)))
        }
        return views
    }
}
