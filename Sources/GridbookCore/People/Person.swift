import GRDB

/// Someone with a duty in the hierarchy: a grid member, a block head, an officer, staff.
public struct Person: Codable, Equatable, Sendable, Identifiable {
    public var id: String
    public var name: String
    /// Personal data: masked in every output unless the caller may see it.
    public var phone: String?
    /// Personal data (resident identity card number): masked in every output unless the caller may see it.
    public var idNumber: String?

    /// Creates a person record.
    public init(id: String, name: String, phone: String? = nil, idNumber: String? = nil) {
        self.id = id
        self.name = name
        self.phone = phone
        self.idNumber = idNumber
    }
}

extension Person: GridbookRecord, PersistableRecord {
    public static let databaseTableName = "people"

    /// The table's columns.
    public enum Columns {
        public static let id = Column("id")
        public static let name = Column("name")
        public static let phone = Column("phone")
        public static let idNumber = Column("id_number")
    }
}

/// What a person does, and the level of unit each role attaches to (SPEC section 2).
public enum Role: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case gridMember = "grid_member"
    case blockHead = "block_head"
    case police
    case auxiliaryPolice = "auxiliary_police"
    case townshipStaff = "township_staff"
    case mediator
    case countyAdmin = "county_admin"

    /// The levels of unit a duty in this role may attach to.
    public var unitLevels: [UnitLevel] {
        switch self {
        case .gridMember, .police: [.grid]
        case .blockHead: [.block]
        case .auxiliaryPolice: [.village]
        case .townshipStaff: [.township]
        case .mediator: [.township, .county]
        case .countyAdmin: [.county]
        }
    }
}

/// A person's role on a unit over a period; active while `until` is empty or in the future.
public struct Duty: Codable, Equatable, Sendable {
    public var id: Int64?
    public var personId: String
    public var role: Role
    public var unitCode: String
    public var since: LocalDate
    public var until: LocalDate?

    /// Creates a duty record.
    public init(id: Int64? = nil, personId: String, role: Role, unitCode: String, since: LocalDate, until: LocalDate? = nil) {
        self.id = id
        self.personId = personId
        self.role = role
        self.unitCode = unitCode
        self.since = since
        self.until = until
    }

    /// Whether the duty holds on `date`: started on or before it and not yet ended.
    /// (The same rule for queries is ``activeSQL(_:on:)``, beside it.)
    public func isActive(on date: LocalDate) -> Bool {
        since <= date && (until.map { $0 > date } ?? true)
    }

    /// ``isActive(on:)`` as an SQL condition on the duties row of table `alias`.
    static func activeSQL(_ alias: String, on date: LocalDate) -> SQL {
        SQL(sql: activeCondition(alias), arguments: [date, date])
    }

    /// ``activeSQL(_:on:)`` as text with the date as its two arguments, for a statement prepared
    /// once and kept (`StatementArguments` then give the date twice).
    static func activeCondition(_ alias: String) -> String {
        "\(alias).since <= ? AND (\(alias).until IS NULL OR \(alias).until > ?)"
    }
}

extension Duty: GridbookRecord, MutablePersistableRecord {
    public static let databaseTableName = "duties"

    /// Keeps the row id SQLite gave the new duty.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The table's columns.
    public enum Columns {
        public static let id = Column("id")
        public static let personId = Column("person_id")
        public static let role = Column("role")
        public static let unitCode = Column("unit_code")
        public static let since = Column("since")
        public static let until = Column("until")
    }
}
