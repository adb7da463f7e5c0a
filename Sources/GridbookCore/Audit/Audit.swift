import Foundation
import GRDB

/// Who is making a change: a person, or the local operator of the command line.
public struct Actor: Equatable, Sendable, CustomStringConvertible {
    /// The person's id, or `cli:NAME` for the command line's operator.
    public let id: String

    /// A person known to Gridbook.
    public static func person(_ id: String) -> Actor { Actor(id: id) }

    /// The operator of the command line, by their login name.
    public static func commandLine(user: String) -> Actor { Actor(id: "cli:\(user)") }

    /// Changes made by the system itself (migrations, tests).
    public static let system = Actor(id: "system")

    public var description: String { id }
}

/// One entry of the audit log: when, who, what, which record.
public struct AuditEntry: Codable, Equatable, Sendable {
    public var id: Int64?
    /// ISO 8601 UTC.
    public var at: String
    public var actor: String
    /// What was done: `import`, `visit.log`, `unit.add`, `unit.move`, `settings.time_zone`, …
    public var action: String
    public var recordType: String
    public var recordId: String
    public var detail: String
}

extension AuditEntry: GridbookRecord, MutablePersistableRecord {
    public static let databaseTableName = "audit_log"

    /// Keeps the row id SQLite gave the entry.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The table's columns.
    public enum Columns {
        public static let id = Column("id")
        public static let at = Column("at")
        public static let actor = Column("actor")
        public static let action = Column("action")
        public static let recordType = Column("record_type")
        public static let recordId = Column("record_id")
        public static let detail = Column("detail")
    }
}

/// One change in the feed other systems pull (`visit.logged`, `risk.created`, …).
public struct Event: Codable, Equatable, Sendable {
    public var seq: Int64?
    public var type: String
    public var recordId: String
    public var at: String
    /// The record as JSON.
    public var data: String
}

extension Event: GridbookRecord, MutablePersistableRecord {
    public static let databaseTableName = "events"

    /// Keeps the sequence number SQLite gave the event.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        seq = inserted.rowID
    }

    /// The table's columns.
    public enum Columns {
        public static let seq = Column("seq")
        public static let type = Column("type")
        public static let recordId = Column("record_id")
        public static let at = Column("at")
        public static let data = Column("data")
    }
}

/// Writes the audit log and the change feed, always inside the transaction of the write they
/// describe, so that a failed write leaves neither behind.
enum Audit {
    /// Appends an audit entry.
    static func record(_ db: Database, _ actor: Actor, _ action: String, _ recordType: String, _ recordId: String,
                       detail: String = "", at date: Date) throws {
        // A cached statement: every write appends here.
        try db.cachedStatement(sql: "INSERT INTO audit_log (at, actor, action, record_type, record_id, detail) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [Timestamp(epochSeconds: Int(date.timeIntervalSince1970)).text, actor.id, action, recordType, recordId, detail])
    }

    /// Appends an event carrying the record as JSON.
    static func event(_ db: Database, _ type: String, _ recordId: String, _ record: some Encodable, at date: Date) throws {
        try db.cachedStatement(sql: "INSERT INTO events (type, record_id, at, data) VALUES (?, ?, ?, ?)")
            .execute(arguments: [type, recordId, Timestamp(epochSeconds: Int(date.timeIntervalSince1970)).text,
                                 String(decoding: try JSONOutput.bytes(record, pretty: false), as: UTF8.self)])
    }
}

extension AppDatabase {
    /// Audit entries, oldest first, since a date (local midnight of it, in UTC terms: inclusive) and of one actor.
    public func auditEntries(since: Date? = nil, actor: String? = nil, limit: Int = 1000) async throws -> [AuditEntry] {
        try await read { db in
            var request = AuditEntry.order(Column("id"))
            if let since { request = request.filter(Column("at") >= Timestamp(epochSeconds: Int(since.timeIntervalSince1970)).text) }
            if let actor { request = request.filter(Column("actor") == actor) }
            return try request.limit(limit).fetchAll(db)
        }
    }

    /// Events after a sequence number, oldest first; with `units`, only the events of records at
    /// or under those units where the records are now (a unit moved since carries its events
    /// along), each record placed by ``ScopeUnit`` as everywhere else.
    public func events(after seq: Int64 = 0, limit: Int = 100, under units: [String]? = nil) async throws -> [Event] {
        try await read { db in
            guard let units else { return try Event.filter(Column("seq") > seq).order(Column("seq")).limit(limit).fetchAll(db) }
            // Cached: feed clients poll it (one statement per number of scope units).
            let query: SQL = """
                WITH RECURSIVE subtree(code) AS (
                    SELECT code FROM units WHERE code IN \(units)
                    UNION
                    SELECT units.code FROM units JOIN subtree ON units.parent_code = subtree.code
                )
                SELECT * FROM events e
                WHERE e.seq > \(seq) AND CASE
                    WHEN e.type LIKE 'visit.%' THEN (SELECT \(ScopeUnit.householdSQL("h"))
                                                    FROM visits v JOIN households h ON h.code = v.household_code
                                                    WHERE v.id = gridbook_uuid_bytes(e.record_id))
                    WHEN e.type LIKE 'risk.%' THEN (SELECT \(ScopeUnit.riskSQL("r")) FROM risks r WHERE r.id = e.record_id)
                    WHEN e.type LIKE 'case.%' THEN (SELECT unit_code FROM cases WHERE id = e.record_id)
                END IN (SELECT code FROM subtree)
                ORDER BY e.seq LIMIT \(limit)
                """
            return try SQLRequest<Event>(literal: query, cached: true).fetchAll(db)
        }
    }
}
