import Foundation
import GRDB

/// A risk as a user or client reports it, before it is checked (SPEC section 6).
public struct NewRisk: Sendable, Equatable {
    /// The grid; taken from the household when there is one.
    public var unitCode: String?
    public var householdCode: String?
    public var category: String
    public var level: RiskLevel
    public var title: String
    public var description: String
    public var source: RiskSource
    /// Who reported it (default: the person making the change).
    public var reportedBy: String?
    /// The first review date; by level when nil.
    public var reviewDue: LocalDate?

    /// Creates a risk to report.
    public init(unitCode: String? = nil, householdCode: String? = nil, category: String, level: RiskLevel, title: String,
                description: String = "", source: RiskSource, reportedBy: String? = nil, reviewDue: LocalDate? = nil) {
        self.unitCode = unitCode
        self.householdCode = householdCode
        self.category = category
        self.level = level
        self.title = title
        self.description = description
        self.source = source
        self.reportedBy = reportedBy
        self.reviewDue = reviewDue
    }
}

/// Which risks to list.
public struct RiskFilter: Sendable {
    public var unitCode: String?
    public var status: RiskStatus?
    public var level: RiskLevel?
    public var category: String?
    /// Only open or monitored risks whose review date has passed.
    public var reviewOverdue = false
    /// Only the risks on this household.
    public var householdCode: String?

    /// A filter; every part optional.
    public init(unitCode: String? = nil, status: RiskStatus? = nil, level: RiskLevel? = nil, category: String? = nil,
                reviewOverdue: Bool = false, householdCode: String? = nil) {
        self.householdCode = householdCode
        self.unitCode = unitCode
        self.status = status
        self.level = level
        self.category = category
        self.reviewOverdue = reviewOverdue
    }
}

/// A risk with its follow-ups, oldest first.
public struct RiskDetail: Encodable, Equatable, Sendable {
    public var risk: Risk
    public var followUps: [RiskFollowUp]

    enum CodingKeys: String, CodingKey { case followUps }

    /// Encodes the risk's fields with its follow-ups beside them.
    public func encode(to encoder: any Encoder) throws {
        try risk.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(followUps, forKey: .followUps)
    }
}

// MARK: - Writes

extension AppDatabase {
    /// Reports a risk, in one transaction with its audit entry and `risk.created` event.
    public func addRisk(_ new: NewRisk, by actor: Actor = .system, now: Date? = nil) async throws -> Risk {
        let now = now ?? clock.now()
        return try await write { db in try Risks.insert(db, new, visit: nil, by: actor, now: now) }
    }

    /// Changes a risk's status (open ⇄ monitoring, → resolved, resolved → open) or level, with an
    /// optional note recorded as a follow-up.
    public func updateRisk(id: String, status: RiskStatus? = nil, level: RiskLevel? = nil, note: String? = nil,
                           by actor: Actor = .system, now: Date? = nil) async throws -> Risk {
        let now = now ?? clock.now()
        return try await write { db in
            guard var risk = try Risk.fetchOne(db, key: id) else { throw GridbookError.notFound("risk \(id)") }
            if let status, status != risk.status {
                guard risk.status.next.contains(status) else {
                    let allowed = risk.status.next.map(\.rawValue).joined(separator: ", ")
                    throw GridbookError.conflict("risk \(id) is \(risk.status.rawValue); it can move to \(allowed.isEmpty ? "nothing (promoted risks follow their case)" : allowed), not \(status.rawValue)")
                }
                risk.status = status
            }
            if let level { risk.level = level }
            try risk.update(db)
            var changes: [String] = []
            if let status { changes.append("status \(status.rawValue)") }
            if let level { changes.append("level \(level.rawValue)") }
            if let note = note?.trimmingCharacters(in: .whitespacesAndNewlines), !note.isEmpty {
                guard let person = actor.personId else {
                    throw GridbookError.invalid(field: "note", problem: "a follow-up needs the person who made it (--as)")
                }
                try Risks.followUp(db, risk: &risk, person: person, note: note, now: now)
            }
            try Audit.record(db, actor, "risk.update", "risk", id, detail: changes.joined(separator: ", "), at: now)
            try Audit.event(db, "risk.updated", id, risk, at: now)
            return risk
        }
    }

    /// Records a follow-up (who looked, what they found); it counts as a review, so the next
    /// review falls the level's days later.
    public func followUpRisk(id: String, person: String, note: String, by actor: Actor = .system, now: Date? = nil) async throws -> Risk {
        let now = now ?? clock.now()
        return try await write { db in
            guard var risk = try Risk.fetchOne(db, key: id) else { throw GridbookError.notFound("risk \(id)") }
            guard try Person.exists(db, key: person) else { throw GridbookError.notFound("person \(person)") }
            let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !note.isEmpty else { throw GridbookError.invalid(field: "note", problem: "is empty") }
            try Risks.followUp(db, risk: &risk, person: person, note: note, now: now)
            try Audit.record(db, actor, "risk.follow_up", "risk", id, detail: note, at: now)
            try Audit.event(db, "risk.updated", id, risk, at: now)
            return risk
        }
    }
}

// MARK: - Reads

extension AppDatabase {
    /// One page of the risks matching a filter, the most urgent first (level, then review date,
    /// then id); `next` is the last one's ``Risk/listKey``.
    public func risks(_ filter: RiskFilter = RiskFilter(), today: LocalDate? = nil, page: PageRequest = .first) async throws -> Page<Risk> {
        try await read { db in
            var request = try riskRequest(db, filter, today: today)
            if let parts = try page.cursorParts(3) {
                guard let rank = Int(parts[0]), let reviewDue = LocalDate(parts[1]) else { throw page.badCursor }
                request = request.filter(literal: "(\(Risk.urgencySQL), review_due, id) > (\(rank), \(reviewDue), \(parts[2]))")
            }
            return Page(fetchedOneMore: try request.limit(page.limit + 1).fetchAll(db), limit: page.limit, cursor: \.listKey)
        }
    }

    /// Every risk matching a filter, in list order (for reports that count them).
    func allRisks(_ filter: RiskFilter, today: LocalDate? = nil) async throws -> [Risk] {
        try await read { db in try riskRequest(db, filter, today: today).fetchAll(db) }
    }

    /// Every risk matching a filter, in list order, as a digest lists it: only the columns it
    /// shows, read by position (decoding whole risks cost a digest tens of milliseconds).
    func digestRisks(_ db: Database, _ filter: RiskFilter, today: LocalDate) throws -> [DigestRisk] {
        let columns = [Risk.Columns.id, Risk.Columns.unitCode, Risk.Columns.category, Risk.Columns.level,
                       Risk.Columns.status, Risk.Columns.title, Risk.Columns.reportedAt, Risk.Columns.reviewDue]
        return try Row.fetchAll(db, riskRequest(db, filter, today: today).select(columns)).compactMap { row in
            guard let level = RiskLevel(rawValue: row[3]), let status = RiskStatus(rawValue: row[4]),
                  let reviewDue = LocalDate(row[7] as String) else { return nil }
            return DigestRisk(id: row[0], unitCode: row[1], category: row[2], level: level, status: status,
                              title: row[5], reportedAt: row[6], reviewDue: reviewDue)
        }
    }

    /// The risks matching a filter, in list order.
    private func riskRequest(_ db: Database, _ filter: RiskFilter, today: LocalDate?) throws -> QueryInterfaceRequest<Risk> {
        var calendar = try Settings.calendar(db)
        let today = today ?? calendar.today(now: clock.now())
        var request = Risk.order(literal: "\(Risk.urgencySQL), review_due, id")
        if let code = filter.unitCode {
            guard let unit = try Hierarchy.unit(db, code: code) else { throw GridbookError.notFound("unit \(code)") }
            request = request.filter(literal: Risk.atOrUnder(unit))
        }
        if let household = filter.householdCode { request = request.filter(Column("household_code") == household) }
        if let status = filter.status { request = request.filter(Risk.Columns.status == status.rawValue) }
        if let level = filter.level { request = request.filter(Risk.Columns.level == level.rawValue) }
        if let category = filter.category {
            guard try IssueCategory.exists(db, key: category) else {
                throw GridbookError.invalid(field: "category", problem: "unknown issue category \(category)")
            }
            request = request.filter(Risk.Columns.category == category)
        }
        if filter.reviewOverdue {
            request = request.filter([RiskStatus.open.rawValue, RiskStatus.monitoring.rawValue].contains(Risk.Columns.status)
                                     && Risk.Columns.reviewDue < today)
        }
        return request
    }

    /// The risks stored from a visit's findings, by id.
    public func risks(foundOn visitId: String) async throws -> [Risk] {
        try await read { db in try Risk.filter(Column("visit_id") == visitId).order(Column("id")).fetchAll(db) }
    }

    /// One risk with its follow-ups.
    public func risk(id: String) async throws -> RiskDetail {
        try await read { db in
            guard let risk = try Risk.fetchOne(db, key: id) else { throw GridbookError.notFound("risk \(id)") }
            let followUps = try RiskFollowUp.filter(Column("risk_id") == id).order(Column("at"), Column("id")).fetchAll(db)
            return RiskDetail(risk: risk, followUps: followUps)
        }
    }
}

extension Risk {
    /// The risk's place in a list, as text that sorts the most urgent first: level, then review
    /// date, then id. Also the cursor of a page of risks.
    public var listKey: String {
        "\(RiskLevel.allCases.firstIndex(of: level) ?? 0)|\(reviewDue)|\(id)"
    }

    /// The condition that a risk row lies at or under `unit`: risks sit on grids, and a risk on a
    /// household also belongs to the household's block, so that a block head finds the risks
    /// they reported. Every risk lies under the county.
    static func atOrUnder(_ unit: Unit) -> SQL {
        if unit.level == .county { return "1" }
        let codes = Hierarchy.codesSQL(atOrUnder: unit)
        return "(unit_code IN \(codes) OR household_code IN (SELECT code FROM households WHERE block_code IN \(codes)))"
    }

    /// A risk's level as the number ``listKey`` starts with (red 0, orange 1, …), in SQL.
    static var urgencySQL: SQL {
        var sql: SQL = "CASE level"
        for (rank, level) in RiskLevel.allCases.enumerated() { sql += " WHEN \(level.rawValue) THEN \(rank)" }
        return sql + " END"
    }
}

/// The risk register's rules, shared by reporting a risk alone and as a finding of a visit.
enum Risks {
    /// Checks and stores a new risk; `visit` links a finding to the visit that found it.
    static func insert(_ db: Database, _ new: NewRisk, visit: Visit?, by actor: Actor, now: Date) throws -> Risk {
        let title = new.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw GridbookError.invalid(field: "title", problem: "is empty") }
        guard try IssueCategory.exists(db, key: new.category) else {
            throw GridbookError.invalid(field: "category", problem: "unknown issue category \(new.category)")
        }
        if let code = new.unitCode { try RecordCode.check(code, field: "unit_code") }
        if let code = new.householdCode { try RecordCode.check(code, field: "household_code") }
        var unitCode = new.unitCode
        if let householdCode = new.householdCode {
            guard let household = try Household.fetchOne(db, key: householdCode) else { throw GridbookError.notFound("household \(householdCode)") }
            if let given = unitCode, given != household.gridCode {
                throw GridbookError.invalid(field: "unit_code", problem: "household \(householdCode) is in grid \(household.gridCode), not \(given)")
            }
            unitCode = household.gridCode
        }
        guard let unitCode else { throw GridbookError.invalid(field: "unit_code", problem: "is empty (a grid, or a household)") }
        guard let unit = try Hierarchy.unit(db, code: unitCode) else { throw GridbookError.notFound("unit \(unitCode)") }
        guard unit.level == .grid else { throw GridbookError.invalid(field: "unit_code", problem: "\(unitCode) is a \(unit.level.rawValue), not a grid") }
        guard let reportedBy = new.reportedBy ?? visit?.visitorId ?? actor.personId else {
            throw GridbookError.invalid(field: "reported_by", problem: "is empty (who found it)")
        }
        guard try Person.exists(db, key: reportedBy) else { throw GridbookError.notFound("person \(reportedBy)") }
        var calendar = try Settings.calendar(db)
        let seconds = Int(now.timeIntervalSince1970)
        let reportedOn = calendar.localDate(epochSeconds: seconds)
        let risk = Risk(
            id: try SequentialID.next(db, table: "risks", prefix: "R\(reportedOn.components.year)-"), unitCode: unitCode, householdCode: new.householdCode,
            category: new.category, level: new.level, title: title,
            description: new.description.trimmingCharacters(in: .whitespacesAndNewlines), status: .open,
            source: visit == nil ? new.source : .visit, reportedBy: reportedBy, reportedAt: Timestamp(epochSeconds: seconds).text,
            visitId: visit?.id, reviewDue: new.reviewDue ?? reportedOn.adding(days: new.level.reviewDays), caseId: nil
        )
        try risk.insert(db)
        try Audit.record(db, actor, "risk.create", "risk", risk.id, detail: "\(risk.level.rawValue) \(risk.category) \(risk.title)", at: now)
        try Audit.event(db, "risk.created", risk.id, risk, at: now)
        return risk
    }

    /// Stores a follow-up and moves the next review date on by the level's days.
    static func followUp(_ db: Database, risk: inout Risk, person: String, note: String, now: Date) throws {
        var calendar = try Settings.calendar(db)
        let seconds = Int(now.timeIntervalSince1970)
        var followUp = RiskFollowUp(id: nil, riskId: risk.id, at: Timestamp(epochSeconds: seconds).text, personId: person, note: note)
        try followUp.insert(db)
        risk.reviewDue = calendar.localDate(epochSeconds: seconds).adding(days: risk.level.reviewDays)
        try risk.update(db)
    }
}

extension Actor {
    /// The person making the change, or nil for the command line's operator or the system.
    public var personId: String? {
        id.hasPrefix("cli:") || self == .system ? nil : id
    }
}
