import Foundation
import GRDB

/// A visit as a user or client sends it, before it is checked.
public struct NewVisit: Sendable {
    /// A UUID; a new one is made when nil. Sending the same id again is safe.
    public var id: String?
    public var householdCode: String
    public var visitorId: String
    /// ISO 8601 with offset.
    public var visitedAt: String
    public var method: VisitMethod
    public var outcome: VisitOutcome
    public var note: String
    /// Risks found on the visit, stored with it (on the visit's household and grid).
    public var findings: [NewRisk]

    /// Creates a visit to log.
    public init(id: String? = nil, householdCode: String, visitorId: String, visitedAt: String,
                method: VisitMethod, outcome: VisitOutcome, note: String = "", findings: [NewRisk] = []) {
        self.id = id
        self.householdCode = householdCode
        self.visitorId = visitorId
        self.visitedAt = visitedAt
        self.method = method
        self.outcome = outcome
        self.note = note
        self.findings = findings
    }
}

/// What logging a visit did.
public enum VisitLogResult: Equatable, Sendable {
    /// A new visit was stored, with the risks it found.
    case created(Visit, findings: [Risk] = [])
    /// The same visit (same id, same content) was stored before; nothing changed.
    case existing(Visit)

    /// The stored visit.
    public var visit: Visit {
        switch self {
        case .created(let visit, _), .existing(let visit): visit
        }
    }

    /// Whether the visit was stored now (not before).
    public var isNew: Bool {
        if case .created = self { true } else { false }
    }
}

/// A visit as logging it answers (the API's body and `visit log --format json`): its fields
/// and the risks stored from its findings.
public struct LoggedVisit: Encodable, Sendable {
    public var visit: Visit
    public var findings: [Risk]

    enum CodingKeys: String, CodingKey { case findings }

    public func encode(to encoder: any Encoder) throws {
        try visit.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(findings, forKey: .findings)
    }
}

extension AppDatabase {
    /// What logging a visit answers: a new visit with the risks just made, or the stored one
    /// with the risks it made when first logged.
    public func logged(_ result: VisitLogResult) async throws -> LoggedVisit {
        switch result {
        case .created(let visit, let findings): LoggedVisit(visit: visit, findings: findings)
        case .existing(let visit): LoggedVisit(visit: visit, findings: try await risks(foundOn: visit.id))
        }
    }
}

// MARK: - Writes

extension AppDatabase {
    /// How far ahead of the clock a visit time may be (a phone's clock runs fast).
    public static let allowedClockSkew: TimeInterval = 5 * 60

    /// Logs a visit in one transaction and keeps the household's latest met date.
    ///
    /// Refused, writing nothing: an unknown household or person, a malformed time or one in the
    /// future, and a visitor with no active duty covering the household on the visit's date
    /// (grid member or police of its grid, block head of its block, or any duty on a unit above
    /// the grid). A visit whose id is already stored is accepted again when its content is the
    /// same (``VisitLogResult/existing(_:)``) and is a conflict otherwise.
    ///
    /// `check`, when given, runs in the same transaction once the household is read, and may
    /// refuse the visit by throwing (the API checks the caller's scope there).
    public func logVisit(_ new: NewVisit, by actor: Actor = .system, now: Date? = nil,
                         check: (@Sendable (Database, Household) throws -> Void)? = nil) async throws -> VisitLogResult {
        let now = now ?? clock.now()
        return try await groupWrite { db in try Self.logVisit(db, new, by: actor, now: now, check: check) }
    }

    private static func logVisit(_ db: Database, _ new: NewVisit, by actor: Actor, now: Date,
                                 check: ((Database, Household) throws -> Void)?) throws -> VisitLogResult {
        try RecordCode.check(new.householdCode, field: "household_code")
        var calendar = try Settings.calendar(db)
        // Cached statements throughout: every visit an API client logs runs these.
        guard let household = try Household.fetchOne(db.cachedStatement(sql: "SELECT * FROM households WHERE code = ?"),
                                                      arguments: [new.householdCode]) else {
            throw GridbookError.notFound("household \(new.householdCode)")
        }
        try check?(db, household)
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM people WHERE id = ?)"),
                                arguments: [new.visitorId]) == true else {
            throw GridbookError.notFound("person \(new.visitorId)")
        }
        guard let timestamp = Timestamp(new.visitedAt) else {
            throw GridbookError.invalid(field: "visited_at",
                                        problem: "\(new.visitedAt) is not an ISO 8601 time with offset (2026-03-02T09:15:00+08:00)")
        }
        guard Double(timestamp.epochSeconds) <= now.timeIntervalSince1970 + Self.allowedClockSkew else {
            throw GridbookError.invalid(field: "visited_at", problem: "\(new.visitedAt) is in the future")
        }
        let key: UUIDKey
        if let given = new.id {
            guard let parsed = UUIDKey(given) else { throw GridbookError.invalid(field: "id", problem: "\(given) is not a UUID") }
            key = parsed
        } else if let made = UUIDKey(UUID().uuidString) {
            key = made
        } else {
            throw GridbookError.conflict("could not make a visit id")
        }
        let id = key.description
        let visit = Visit(id: id, householdCode: household.code, visitorId: new.visitorId, visitedAt: timestamp.text,
                          visitedOn: calendar.localDate(of: timestamp), method: new.method, outcome: new.outcome,
                          note: new.note.trimmingCharacters(in: .whitespacesAndNewlines))
        if let stored = try Visit.fetchOne(db.cachedStatement(sql: "SELECT * FROM visits WHERE id = ?"), arguments: [key]) {
            // The same visit may come back with its time written another way (+08:00 or Z).
            var comparable = visit
            if Timestamp(stored.visitedAt)?.epochSeconds == timestamp.epochSeconds { comparable.visitedAt = stored.visitedAt }
            guard stored == comparable else {
                throw GridbookError.conflict("visit \(id) is already stored with other content")
            }
            return .existing(stored)
        }
        guard try Duties.covers(db, person: new.visitorId, household: household, on: visit.visitedOn) else {
            throw GridbookError.notAllowed("\(new.visitorId) holds no duty covering household \(household.code) on \(visit.visitedOn)")
        }
        try db.cachedStatement(sql: """
            INSERT INTO visits (id, household_code, visitor_id, visited_at, visited_on, method, outcome, note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [key, visit.householdCode, visit.visitorId, visit.visitedAt, visit.visitedOn,
                                     visit.method, visit.outcome, visit.note])
        if visit.outcome == .met { try noteMet(db, household: household.code, on: visit.visitedOn) }
        try Audit.record(db, actor, "visit.log", "visit", visit.id, detail: "\(visit.householdCode) \(visit.outcome.rawValue)", at: now)
        try Audit.event(db, "visit.logged", visit.id, visit, at: now)
        let findings = try new.findings.map { finding in
            var finding = finding
            finding.householdCode = finding.householdCode ?? household.code
            return try Risks.insert(db, finding, visit: visit, by: actor, now: now)
        }
        return .created(visit, findings: findings)
    }
}

// MARK: - Reads

extension AppDatabase {
    /// One page of the visits to households under a unit, with local dates from `from` to `to`
    /// (both included), by date then household; `next` is the last one's ``VisitCursor``.
    public func visits(under unitCode: String, from: LocalDate? = nil, to: LocalDate? = nil,
                       page: PageRequest = .first) async throws -> Page<Visit> {
        if let from, let to, from > to { throw GridbookError.invalid(field: "from", problem: "\(from) is after to (\(to))") }
        let cursor = try page.after.map { text in
            guard let cursor = VisitCursor(text) else { throw page.badCursor }
            return cursor
        }
        let unit = try await unit(code: unitCode)
        return try await read { db in
            let households: SQL = "SELECT code FROM households WHERE \(Hierarchy.householdCondition(unit, alias: "households"))"
            var conditions: [SQL] = ["household_code IN (\(households))"]
            if let from { conditions.append("visited_on >= \(from)") }
            if let to { conditions.append("visited_on <= \(to)") }
            if let cursor {
                conditions.append("""
                    (visited_on, household_code, visited_at, id) > \
                    (\(cursor.visitedOn), \(cursor.householdCode), \(cursor.visitedAt), \(cursor.key))
                    """)
            }
            let request: SQLRequest<Visit> = """
                WITH RECURSIVE \(Hierarchy.subtreeCTE(of: unit))
                SELECT * FROM visits WHERE \(conditions.joined(operator: .and))
                ORDER BY visited_on, household_code, visited_at, id
                LIMIT \(page.limit + 1)
                """
            return Page(fetchedOneMore: try request.fetchAll(db), limit: page.limit) { VisitCursor($0).description }
        }
    }
}

/// Where a page of visits ends: the sort columns of its last visit, as `on|household|at|id`.
public struct VisitCursor: Equatable, Sendable, CustomStringConvertible {
    public var visitedOn: String
    public var householdCode: String
    public var visitedAt: String
    public var id: String
    /// The id as it is stored, to compare with stored ones.
    var key: UUIDKey? { UUIDKey(id) }

    /// The cursor just past a visit.
    public init(_ visit: Visit) {
        visitedOn = visit.visitedOn.description
        householdCode = visit.householdCode
        visitedAt = visit.visitedAt
        id = visit.id
    }

    /// Reads a cursor's text; nil when it is not one. The date is the first field and the time
    /// and id the last two (neither holds a `|`); the household code, which may, is the rest.
    public init?(_ text: String) {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 4, LocalDate(parts[0]) != nil, UUIDKey(parts[parts.count - 1]) != nil else { return nil }
        visitedOn = parts[0]
        householdCode = parts[1..<(parts.count - 2)].joined(separator: "|")
        visitedAt = parts[parts.count - 2]
        id = parts[parts.count - 1]
    }

    public var description: String { "\(visitedOn)|\(householdCode)|\(visitedAt)|\(id)" }
}
