import Foundation
import GRDB

/// A one-time sign-in code as stored: its salted hash, never the code.
public struct LoginCode: Codable, Equatable, Sendable {
    public var id: Int64?
    public var personId: String
    public var salt: String
    /// SHA-256 of the salt and the code, hexadecimal.
    public var hash: String
    public var createdAt: String
    public var expiresAt: String
    /// When it was used to sign in, or replaced by a newer code.
    public var usedAt: String?
    /// Wrong codes tried against it; at ``LoginCode/maxFailures`` it is locked.
    public var failures: Int
    /// Who asked for it (an actor id).
    public var issuedBy: String

    /// Wrong tries after which a code is locked for good.
    public static let maxFailures = 5
    /// How long a code is valid by default.
    public static let defaultMinutes = 15

    static func hash(salt: String, code: String) -> String { SHA256Text.hex(salt + ":" + code) }
}

extension LoginCode: GridbookRecord, MutablePersistableRecord {
    public static let databaseTableName = "login_codes"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A browser session as stored: the hash of the cookie's value and the CSRF token that writes
/// from it must send in a header.
public struct BrowserSession: Codable, Equatable, Sendable {
    public var id: Int64?
    public var personId: String
    /// SHA-256 of the session cookie's value, hexadecimal.
    public var hash: String
    /// The CSRF token (not a credential on its own: useless without the cookie).
    public var csrf: String
    public var createdAt: String
    public var expiresAt: String
    public var revokedAt: String?
    public var lastUsedAt: String?
    public var userAgent: String

    /// How long a session lasts by default.
    public static let defaultDays = 30

    /// The hash stored for a session cookie's value.
    public static func hash(of secret: String) -> String { SHA256Text.hex(secret) }
}

extension BrowserSession: GridbookRecord, MutablePersistableRecord {
    public static let databaseTableName = "sessions"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Why a sign-in was refused. The same answer whether the person is unknown or has no code,
/// so that the page says nothing of who exists.
public enum SignInRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// No valid code: none issued, expired, already used, or an unknown person.
    case noCode
    /// A wrong code; `triesLeft` more before the code locks.
    case wrongCode(triesLeft: Int)
    /// Locked after ``LoginCode/maxFailures`` wrong tries.
    case locked

    /// The refusal's machine-readable code.
    public var code: String {
        switch self {
        case .noCode: "no_code"
        case .wrongCode: "wrong_code"
        case .locked: "code_locked"
        }
    }

    public var description: String {
        switch self {
        case .noCode: "no valid sign-in code for this person id: check the id, or ask your township for a new code (a code lasts 15 minutes and works once)"
        case .wrongCode(let left): "wrong code: \(left) more \(left == 1 ? "try" : "tries") before it locks"
        case .locked: "this code is locked after \(LoginCode.maxFailures) wrong tries: ask your township for a new one"
        }
    }
}

/// A session just opened: the cookie's value (shown once, kept only as a hash) and its CSRF token.
public struct OpenedSession: Sendable {
    public var secret: String
    public var record: BrowserSession
    public var caller: Caller
}

/// A session's caller and the CSRF token its writes must carry.
public struct SessionCaller: Equatable, Sendable {
    public var caller: Caller
    public var csrf: String
    public var sessionId: Int64
}

extension AppDatabase {
    /// Issues a one-time sign-in code for a person: 8 digits, valid `minutes`, single use; a
    /// newer code replaces any code not yet used. With `issuer`, the person must be in the
    /// issuer's scope (every unit of their active duties under the issuer's units) and the
    /// issuer must handle cases (township staff, mediators, county admins).
    public func issueLoginCode(person: String, minutes: Int = LoginCode.defaultMinutes, issuer: Caller? = nil,
                               by actor: Actor = .system, now: Date? = nil) async throws -> (code: String, record: LoginCode) {
        let now = now ?? clock.now()
        guard (1...1440).contains(minutes) else {
            throw GridbookError.invalid(field: "minutes", problem: "\(minutes) is not a number of minutes from 1 to 1440")
        }
        var generator = SystemRandomNumberGenerator()
        let code = String(format: "%08d", Int.random(in: 0..<100_000_000, using: &generator))
        let salt = randomHex(bytes: 16, using: &generator)
        let seconds = Int(now.timeIntervalSince1970)
        return try await write { db in
            guard let caller = try Caller.load(db, person: person, epochSeconds: seconds) else {
                throw GridbookError.notFound("person \(person)")
            }
            if let issuer {
                try Self.checkMayIssue(db, issuer: issuer, for: caller)
            }
            guard !caller.roles.isEmpty else {
                throw GridbookError.invalid(field: "person", problem: "\(person) has no active duty, so could do nothing once signed in")
            }
            let nowText = Timestamp(epochSeconds: seconds).text
            try db.execute(sql: "UPDATE login_codes SET used_at = ? WHERE person_id = ? AND used_at IS NULL", arguments: [nowText, person])
            var record = LoginCode(id: nil, personId: person, salt: salt, hash: LoginCode.hash(salt: salt, code: code), createdAt: nowText,
                                   expiresAt: Timestamp(epochSeconds: seconds + minutes * 60).text, usedAt: nil, failures: 0,
                                   issuedBy: actor.id)
            try record.insert(db)
            try Audit.record(db, actor, "login_code.issue", "person", person, detail: "valid \(minutes) min", at: now)
            return (code, record)
        }
    }

    /// Whether `issuer` may give `person` a sign-in code: county admins for anyone; township
    /// staff and mediators for themselves and for the field (grid members, block heads, police)
    /// whose every active duty is under their units. Not for a colleague who handles cases: a
    /// code signs in as its person, so it would let one act, and be audited, as the other.
    private static func checkMayIssue(_ db: Database, issuer: Caller, for person: Caller) throws {
        guard issuer.may(.handleCases) else {
            throw GridbookError.notAllowed("only \(Permission.handleCases.holders) may give out sign-in codes")
        }
        if issuer.roles.contains(.countyAdmin) { return }
        // A person with duties elsewhere, or none, is not the issuer's to sign in; the refusal
        // says nothing of where they are.
        guard !person.scopeUnits.isEmpty else { throw GridbookError.notAllowed("this person is outside your units") }
        for unit in person.scopeUnits where !(try Hierarchy.chain(db, of: unit)).contains(where: issuer.scopeUnits.contains) {
            throw GridbookError.notAllowed("this person is outside your units")
        }
        guard person.person.id == issuer.person.id || !person.may(.handleCases) else {
            throw GridbookError.notAllowed("only a county admin may give a sign-in code to \(Permission.handleCases.holders)")
        }
    }

    /// Signs a person in with a code: on the right code, the code is spent and a session opens
    /// (`days` long); a wrong one counts against the code, which locks after five. Refusals
    /// are audited like sign-ins, and a refusal still records the failed try. `person` is taken
    /// in any letter case when exactly one person's id matches it so.
    public func signIn(person: String, code: String, userAgent: String = "", days: Int = BrowserSession.defaultDays,
                       now: Date? = nil) async throws -> OpenedSession {
        let now = now ?? clock.now()
        let seconds = Int(now.timeIntervalSince1970)
        let nowText = Timestamp(epochSeconds: seconds).text
        var generator = SystemRandomNumberGenerator()
        let secret = "gbs_" + randomHex(bytes: 32, using: &generator)
        let csrf = randomHex(bytes: 16, using: &generator)
        let agent = String(userAgent.prefix(200))
        // The write commits a failed try too, so the refusal is returned rather than thrown.
        let typed = person
        let outcome: Result<OpenedSession, SignInRefusal> = try await write { db in
            // The id as typed, or the one id that differs from it only in letter case (a phone's
            // keyboard capitalises or not: p000063 for P000063); an id nobody has finds no code.
            let matching = try String.fetchAll(db, sql: "SELECT id FROM people WHERE id = ? COLLATE NOCASE ORDER BY id = ? DESC LIMIT 2",
                                               arguments: [typed, typed])
            let person = matching.first == typed || matching.count == 1 ? matching.first ?? typed : typed
            guard var record = try LoginCode.filter(sql: "person_id = ? AND used_at IS NULL", arguments: [person])
                .order(sql: "id DESC").fetchOne(db), record.expiresAt > nowText
            else { return .failure(.noCode) }
            guard record.failures < LoginCode.maxFailures else { return .failure(.locked) }
            guard LoginCode.hash(salt: record.salt, code: code) == record.hash else {
                record.failures += 1
                try record.update(db)
                let locked = record.failures >= LoginCode.maxFailures
                try Audit.record(db, .system, locked ? "login_code.locked" : "login_code.wrong", "person", person,
                                 detail: "try \(record.failures)", at: now)
                return .failure(locked ? .locked : .wrongCode(triesLeft: LoginCode.maxFailures - record.failures))
            }
            guard let caller = try Caller.load(db, person: person, epochSeconds: seconds) else { return .failure(.noCode) }
            record.usedAt = nowText
            try record.update(db)
            var session = BrowserSession(id: nil, personId: person, hash: BrowserSession.hash(of: secret), csrf: csrf, createdAt: nowText,
                                         expiresAt: Timestamp(epochSeconds: seconds + days * 86_400).text, revokedAt: nil,
                                         lastUsedAt: nowText, userAgent: agent)
            try session.insert(db)
            try Audit.record(db, .person(person), "session.open", "session", "\(session.id ?? 0)", detail: agent, at: now)
            return .success(OpenedSession(secret: secret, record: session, caller: caller))
        }
        return try outcome.get()
    }

    /// The caller behind a session cookie, or nil when it is unknown, revoked or expired. Notes
    /// when it was last used, to the minute, in the background.
    public func authenticate(session secret: String, now: Date? = nil) async throws -> SessionCaller? {
        let now = now ?? clock.now()
        let seconds = Int(now.timeIntervalSince1970)
        let nowText = Timestamp(epochSeconds: seconds).text
        let found: (BrowserSession, Caller)? = try await read { db in
            guard let record = try BrowserSession.fetchOne(db.cachedStatement(sql: "SELECT * FROM sessions WHERE hash = ?"),
                                                           arguments: [BrowserSession.hash(of: secret)]),
                  record.revokedAt == nil, record.expiresAt > nowText,
                  let caller = try Caller.load(db, person: record.personId, epochSeconds: seconds)
            else { return nil }
            return (record, caller)
        }
        guard let (record, caller) = found, let id = record.id else { return nil }
        if record.lastUsedAt.map({ $0 < Timestamp(epochSeconds: seconds - 60).text }) ?? true {
            writer.asyncWrite({ db in
                try db.execute(sql: "UPDATE sessions SET last_used_at = ? WHERE id = ?", arguments: [nowText, id])
            }, completion: { _, _ in })
        }
        return SessionCaller(caller: caller, csrf: record.csrf, sessionId: id)
    }

    /// Sessions, newest first, of one person or of everyone.
    public func sessions(person: String? = nil) async throws -> [BrowserSession] {
        try await read { db in
            var request = BrowserSession.order(sql: "id DESC")
            if let person { request = request.filter(sql: "person_id = ?", arguments: [person]) }
            return try request.fetchAll(db)
        }
    }

    /// Revokes a session by id: its cookie answers 401 from then on (signing out is the same).
    public func revokeSession(id: Int64, by actor: Actor = .system, now: Date? = nil) async throws {
        let now = now ?? clock.now()
        try await write { db in
            guard var record = try BrowserSession.fetchOne(db, key: id) else { throw GridbookError.notFound("session \(id)") }
            guard record.revokedAt == nil else { return }
            record.revokedAt = Timestamp(epochSeconds: Int(now.timeIntervalSince1970)).text
            try record.update(db)
            try Audit.record(db, actor, "session.revoke", "session", "\(id)", detail: "of \(record.personId)", at: now)
        }
    }
}

/// `bytes` random bytes as lowercase hexadecimal.
func randomHex(bytes: Int, using generator: inout some RandomNumberGenerator) -> String {
    (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
}
