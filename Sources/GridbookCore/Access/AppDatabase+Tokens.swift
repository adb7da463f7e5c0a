import Foundation
import GRDB

/// An API token as stored: never the token itself, only its hash.
public struct APIToken: Codable, Equatable, Sendable {
    public var id: Int64?
    public var personId: String
    /// SHA-256 of the token, hexadecimal.
    public var hash: String
    public var createdAt: String
    public var expiresAt: String?
    public var revokedAt: String?
    public var lastUsedAt: String?
}

extension APIToken {
    /// The hash stored for a token (SHA-256, hexadecimal).
    public static func hash(of token: String) -> String { SHA256Text.hex(token) }
}

extension APIToken: GridbookRecord, MutablePersistableRecord {
    public static let databaseTableName = "tokens"

    /// Keeps the row id SQLite gave the token.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The table's columns.
    public enum Columns {
        public static let id = Column("id")
        public static let personId = Column("person_id")
        public static let hash = Column("hash")
        public static let createdAt = Column("created_at")
        public static let expiresAt = Column("expires_at")
        public static let revokedAt = Column("revoked_at")
        public static let lastUsedAt = Column("last_used_at")
    }
}

/// Who is calling the API, from their token: the person, their active roles and the units they
/// may see and change (at or under the units of their active duties).
public struct Caller: Equatable, Sendable {
    public var person: Person
    public var roles: [Role]
    /// The units of the caller's active duties.
    public var scopeUnits: [String]
}

extension Caller {
    /// Whether the caller may see a unit, given the unit and its ancestors (in any order): when
    /// it or an ancestor is a unit of their duties, or they are a county admin. The one scope rule.
    public func sees(chain: [String]) -> Bool {
        roles.contains(.countyAdmin) || chain.contains(where: scopeUnits.contains)
    }

    /// The person as a caller on the instant: their roles and units from the duties active on
    /// that day. The one rule for tokens and browser sessions alike; nil for an unknown person.
    static func load(_ db: Database, person id: String, epochSeconds seconds: Int) throws -> Caller? {
        // Cached statements: this runs on every API request.
        guard let person = try Person.fetchOne(db.cachedStatement(sql: "SELECT * FROM people WHERE id = ?"), arguments: [id]) else { return nil }
        var calendar = try Settings.calendar(db)
        let today = calendar.localDate(epochSeconds: seconds)
        let duties = try Duty.fetchAll(db.cachedStatement(sql: "SELECT * FROM duties WHERE person_id = ?"), arguments: [person.id])
            .filter { $0.isActive(on: today) }
        return Caller(person: person, roles: Array(Set(duties.map(\.role))).sorted { $0.rawValue < $1.rawValue },
                      scopeUnits: Array(Set(duties.map(\.unitCode))).sorted())
    }
}

extension AppDatabase {
    /// A person as a caller today (their active roles and units), or nil for an unknown person:
    /// for the command line's `--as`, where a rule needs the person's roles.
    public func caller(person: String) async throws -> Caller? {
        let seconds = Int(clock.now().timeIntervalSince1970)
        return try await read { db in try Caller.load(db, person: person, epochSeconds: seconds) }
    }

    /// Issues a new token for a person, valid for `days` (or until revoked when nil). The token
    /// is returned once and only its hash is kept.
    public func issueToken(person: String, days: Int? = nil, by actor: Actor = .system, now: Date? = nil) async throws -> (token: String, record: APIToken) {
        let now = now ?? clock.now()
        if let days, !(1...3650).contains(days) {
            throw GridbookError.invalid(field: "expires", problem: "\(days) is not a number of days from 1 to 3650")
        }
        var generator = SystemRandomNumberGenerator()
        let token = "gb_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let seconds = Int(now.timeIntervalSince1970)
        return try await write { db in
            guard try Person.exists(db, key: person) else { throw GridbookError.notFound("person \(person)") }
            var record = APIToken(id: nil, personId: person, hash: SHA256Text.hex(token), createdAt: Timestamp(epochSeconds: seconds).text,
                                  expiresAt: days.map { Timestamp(epochSeconds: seconds + $0 * 86_400).text }, revokedAt: nil, lastUsedAt: nil)
            try record.insert(db)
            try Audit.record(db, actor, "token.issue", "token", "\(record.id ?? 0)", detail: "for \(person)", at: now)
            return (token, record)
        }
    }

    /// Revokes a token by its id; a revoked token answers 401 from then on.
    public func revokeToken(id: Int64, by actor: Actor = .system, now: Date? = nil) async throws {
        let now = now ?? clock.now()
        return try await write { db in
            guard var record = try APIToken.fetchOne(db, key: id) else { throw GridbookError.notFound("token \(id)") }
            guard record.revokedAt == nil else { return }
            record.revokedAt = Timestamp(epochSeconds: Int(now.timeIntervalSince1970)).text
            try record.update(db)
            try Audit.record(db, actor, "token.revoke", "token", "\(id)", detail: "of \(record.personId)", at: now)
        }
    }

    /// Every token, newest first (hashes, never tokens).
    public func tokens() async throws -> [APIToken] {
        try await read { db in try APIToken.order(Column("id").desc).fetchAll(db) }
    }

    /// The caller a token belongs to, or nil when it is unknown, revoked or expired. Notes when it
    /// was last used, to the minute and in the background, so that requests only read.
    public func authenticate(token: String, now: Date? = nil) async throws -> Caller? {
        let now = now ?? clock.now()
        let seconds = Int(now.timeIntervalSince1970)
        let nowText = Timestamp(epochSeconds: seconds).text
        let found: (record: APIToken, caller: Caller)? = try await read { db in
            // Cached statements: this runs on every API request.
            guard let record = try APIToken.fetchOne(db.cachedStatement(sql: "SELECT * FROM tokens WHERE hash = ?"),
                                                     arguments: [SHA256Text.hex(token)]),
                  record.revokedAt == nil, record.expiresAt.map({ $0 > nowText }) ?? true,
                  let caller = try Caller.load(db, person: record.personId, epochSeconds: seconds)
            else { return nil }
            return (record, caller)
        }
        guard let found else { return nil }
        let minuteAgo = Timestamp(epochSeconds: seconds - 60).text
        if let id = found.record.id, found.record.lastUsedAt.map({ $0 < minuteAgo }) ?? true {
            // A note, not part of the answer: written after it, and never a reason to refuse the
            // request (another process may hold the write lock for a long import).
            writer.asyncWrite({ db in
                try db.execute(sql: "UPDATE tokens SET last_used_at = ? WHERE id = ?", arguments: [nowText, id])
            }, completion: { _, _ in })
        }
        return found.caller
    }
}
