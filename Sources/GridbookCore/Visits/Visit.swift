import GRDB

/// How a visit was made.
public enum VisitMethod: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case door, phone, video, other
}

/// What a visit found at the door: only `met` resets the household's schedule.
public enum VisitOutcome: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case met, absent, refused
}

/// One visit to a household (入户走访).
public struct Visit: Codable, Equatable, Sendable, Identifiable {
    /// A UUID, lowercase; clients may supply it, which makes retries safe.
    public var id: String
    public var householdCode: String
    public var visitorId: String
    /// ISO 8601 with offset, as given.
    public var visitedAt: String
    /// The local date of `visitedAt` in the deployment's time zone.
    public var visitedOn: LocalDate
    public var method: VisitMethod
    public var outcome: VisitOutcome
    public var note: String

    /// Creates a visit record.
    public init(id: String, householdCode: String, visitorId: String, visitedAt: String, visitedOn: LocalDate,
                method: VisitMethod, outcome: VisitOutcome, note: String = "") {
        self.id = id
        self.householdCode = householdCode
        self.visitorId = visitorId
        self.visitedAt = visitedAt
        self.visitedOn = visitedOn
        self.method = method
        self.outcome = outcome
        self.note = note
    }
}

extension Visit: GridbookRecord, PersistableRecord {
    public static let databaseTableName = "visits"

    /// The table's columns.
    public enum Columns {
        public static let id = Column("id")
        public static let householdCode = Column("household_code")
        public static let visitorId = Column("visitor_id")
        public static let visitedAt = Column("visited_at")
        public static let visitedOn = Column("visited_on")
        public static let method = Column("method")
        public static let outcome = Column("outcome")
        public static let note = Column("note")
    }

    /// Reads a stored visit: its id from the 16 bytes it is stored as (``UUIDKey``), the rest as
    /// Codable would. A stored value that cannot be read is an error, as with Codable.
    public init(row: Row) throws {
        let storedId: DatabaseValue = try row.decode(forColumn: Columns.id)
        guard let id = UUIDKey.text(stored: storedId) else {
            throw GridbookError.conflict("a stored visit id is not a UUID (\(storedId))")
        }
        self.id = id
        householdCode = try row.decode(forColumn: Columns.householdCode)
        visitorId = try row.decode(forColumn: Columns.visitorId)
        visitedAt = try row.decode(forColumn: Columns.visitedAt)
        visitedOn = try row.decode(forColumn: Columns.visitedOn)
        method = try row.decode(forColumn: Columns.method)
        outcome = try row.decode(forColumn: Columns.outcome)
        note = try row.decode(forColumn: Columns.note)
    }

    /// Writes a visit with its id as the 16 bytes it is stored as.
    public func encode(to container: inout PersistenceContainer) throws {
        guard let key = UUIDKey(id) else { throw GridbookError.invalid(field: "id", problem: "\(id) is not a UUID") }
        container[Columns.id] = key
        container[Columns.householdCode] = householdCode
        container[Columns.visitorId] = visitorId
        container[Columns.visitedAt] = visitedAt
        container[Columns.visitedOn] = visitedOn
        container[Columns.method] = method
        container[Columns.outcome] = outcome
        container[Columns.note] = note
    }
}
