import Foundation
import GRDB

/// A case as a user or client files it (SPEC section 6).
public struct NewCase: Sendable, Equatable {
    public var title: String
    public var category: String
    public var unitCode: String
    public var parties: String
    public var source: CaseSource
    /// The level handling it; `village` when nil.
    public var level: CaseLevel?
    /// When the resident reported it, if before it is filed.
    public var reportedAt: Timestamp?

    /// A case to file.
    public init(title: String, category: String, unitCode: String, parties: String = "", source: CaseSource, level: CaseLevel? = nil,
                reportedAt: Timestamp? = nil) {
        self.title = title
        self.category = category
        self.unitCode = unitCode
        self.parties = parties
        self.source = source
        self.level = level
        self.reportedAt = reportedAt
    }

    /// A `reported_at` as a client or user types it: an ISO 8601 time with its offset.
    public static func reportedAt(_ text: String) throws -> Timestamp {
        guard let timestamp = Timestamp(text) else {
            throw GridbookError.invalid(field: "reported_at", problem: "\(text) is not a time with its offset (2026-12-01T07:40:00+08:00)")
        }
        // A first response timed from the year 1 is a typing mistake, as a visit before 1970 is.
        guard timestamp.epochSeconds >= 0 else {
            throw GridbookError.invalid(field: "reported_at", problem: "\(text) is before 1970")
        }
        return timestamp
    }
}

/// A case with its ledger, oldest first.
public struct CaseDetail: Encodable, Equatable, Sendable {
    public var dispute: DisputeCase
    public var ledger: [LedgerEntry]
    /// What can be done next.
    public var allowedActions: [CaseAction]
    /// Who reported it, for a case filed through Open311 (personal data masked); else nil.
    public var reporter: CaseReporter?

    enum CodingKeys: String, CodingKey { case ledger, allowedActions, reporter, firstResponseSeconds }

    /// The ledger as SPEC section 6 shows it: `{"at", "actor", "action", "note"}`.
    struct Line: Encodable { var at, actor, action, note: String }

    /// Encodes the case's fields beside its ledger and the actions it allows.
    public func encode(to encoder: any Encoder) throws {
        try dispute.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ledger.map { Line(at: $0.at, actor: $0.actor, action: $0.action, note: $0.note) }, forKey: .ledger)
        try container.encode(allowedActions, forKey: .allowedActions)
        try container.encode(reporter, forKey: .reporter)
        try container.encode(dispute.firstResponseSeconds(ledger: ledger), forKey: .firstResponseSeconds)
    }
}

/// What promoting a risk did.
public enum PromotionResult: Equatable, Sendable {
    /// A new case was opened.
    case created(DisputeCase)
    /// The risk was promoted before: its case.
    case existing(DisputeCase)

    /// The case.
    public var dispute: DisputeCase {
        switch self {
        case .created(let dispute), .existing(let dispute): dispute
        }
    }
}

// MARK: - Writes

extension AppDatabase {
    /// Files a case directly (walk-in, phone, letter, online, hotline), accepted now.
    public func fileCase(_ new: NewCase, by actor: Actor, now: Date? = nil) async throws -> DisputeCase {
        let now = now ?? clock.now()
        return try await write { db in
            try Cases.requireCaseRole(db, actor, unit: new.unitCode, now: now)
            return try Cases.insert(db, new, riskId: nil, by: actor, now: now)
        }
    }

    /// Promotes a risk to an accepted case and marks the risk promoted, in one transaction.
    /// Promoting again returns the same case.
    public func promoteRisk(id: String, level: CaseLevel? = nil, by actor: Actor, now: Date? = nil) async throws -> PromotionResult {
        let now = now ?? clock.now()
        return try await write { db in
            guard var risk = try Risk.fetchOne(db, key: id) else { throw GridbookError.notFound("risk \(id)") }
            if let caseId = risk.caseId, let dispute = try DisputeCase.fetchOne(db, key: caseId) {
                return .existing(dispute)
            }
            try Cases.requireCaseRole(db, actor, unit: risk.unitCode, now: now)
            guard risk.status != .resolved else {
                throw GridbookError.conflict("risk \(id) is resolved; reopen it before promoting it")
            }
            let dispute = try Cases.insert(db, NewCase(
                title: risk.title, category: risk.category, unitCode: risk.unitCode,
                parties: risk.householdCode.map { "household \($0)" } ?? "",
                source: risk.source == .hotline ? .hotline : risk.source == .report ? .walkIn : .visitDiscovery,
                level: level
            ), riskId: risk.id, by: actor, now: now)
            risk.status = .promoted
            risk.caseId = dispute.id
            try risk.update(db)
            try Audit.record(db, actor, "risk.promote", "risk", risk.id, detail: "case \(dispute.id)", at: now)
            try Audit.event(db, "risk.promoted", risk.id, risk, at: now)
            return .created(dispute)
        }
    }

    /// Acts on a case: the state machine decides, the ledger records, in one transaction.
    public func act(onCase id: String, _ input: CaseActionInput, by actor: Actor, now: Date? = nil) async throws -> DisputeCase {
        let now = now ?? clock.now()
        return try await write { db in
            guard let dispute = try DisputeCase.fetchOne(db, key: id) else { throw GridbookError.notFound("case \(id)") }
            try Cases.requireCaseRole(db, actor, unit: dispute.unitCode, now: now)
            var calendar = try Settings.calendar(db)
            let seconds = Int(now.timeIntervalSince1970)
            let next = try CaseRules.apply(input, to: dispute, today: calendar.localDate(epochSeconds: seconds),
                                           now: Timestamp(epochSeconds: seconds).text, policy: try DeadlinePolicy.load(db))
            try next.update(db)
            var details: [String] = []
            if let assignee = input.assignee, input.action == .dispatch { details.append("to \(assignee), due \(next.deadline)") }
            if input.action == .escalate { details.append(input.track.map { "track \($0.rawValue)" } ?? "to \(next.level.rawValue), due \(next.deadline)") }
            if let satisfaction = input.satisfaction, input.action == .followUp { details.append(satisfaction.rawValue) }
            let note = (details + [input.note.trimmingCharacters(in: .whitespacesAndNewlines)]).filter { !$0.isEmpty }.joined(separator: "; ")
            try Cases.ledger(db, id, actor, input.action.rawValue, note, now: now)
            try Audit.record(db, actor, "case.\(input.action.rawValue)", "case", id, detail: note, at: now)
            try Audit.event(db, "case.updated", id, next, at: now)
            return next
        }
    }
}

// MARK: - Reads

extension AppDatabase {
    /// One case with its ledger; its reporter's phone and email in full only for `revealTo`
    /// (see ``revealing(to:record:_:)``: county admins, audited).
    public func caseDetail(id: String, revealTo: Caller? = nil) async throws -> CaseDetail {
        let reveal = revealTo != nil
        return try await revealing(to: revealTo, record: ("case", id)) { db in
            guard let dispute = try DisputeCase.fetchOne(db, key: id) else { throw GridbookError.notFound("case \(id)") }
            let ledger = try LedgerEntry.filter(Column("case_id") == id).order(Column("id")).fetchAll(db)
            let detail = CaseDetail(dispute: dispute, ledger: ledger, allowedActions: CaseRules.allowed(dispute),
                                    reporter: try caseReporter(db, caseId: id, reveal: reveal))
            return (detail, "reporter of case \(id)")
        }
    }

    /// One page of the cases arising at or under a unit (all when nil), optionally of one status
    /// or past their deadline and not finished (``DisputeCase/isOverdue(on:)``), by id; `next`
    /// is the last one's id.
    public func cases(under unitCode: String? = nil, status: CaseStatus? = nil, overdueOn date: LocalDate? = nil,
                      carded: CardColor? = nil, page: PageRequest = .first) async throws -> Page<DisputeCase> {
        try await read { db in
            var request = DisputeCase.order(Column("id"))
            var inUnit: SQL = "1"
            if let unitCode {
                inUnit = "unit_code IN \(try Hierarchy.codesSQL(atOrUnder: unitCode, db))"
                request = request.filter(literal: inUnit)
            }
            // A cursor is the id of a case the list holds (not of one outside the caller's units).
            let inList: (String) -> SQL = { id in "SELECT EXISTS (SELECT 1 FROM cases WHERE id = \(id) AND \(inUnit))" }
            if let status { request = request.filter(Column("status") == status.rawValue) }
            if let carded { request = request.filter(literal: "id IN (SELECT case_id FROM case_cards WHERE color = \(carded.rawValue))") }
            guard let date else {
                if let after = try page.recordCursor(db, inList: inList) { request = request.filter(Column("id") > after) }
                return Page(fetchedOneMore: try request.limit(page.limit + 1).fetchAll(db), limit: page.limit, cursor: \.id)
            }
            // Overdue is the case rule's: read in batches until the page (and one more) is full.
            var found: [DisputeCase] = []
            var after = try page.recordCursor(db, inList: inList)
            while found.count <= page.limit {
                let batch = try (after.map { request.filter(Column("id") > $0) } ?? request).limit(500).fetchAll(db)
                found += batch.filter { $0.isOverdue(on: date) }
                guard batch.count == 500, let last = batch.last else { break }
                after = last.id
            }
            return Page(fetchedOneMore: Array(found.prefix(page.limit + 1)), limit: page.limit, cursor: \.id)
        }
    }
}

/// The case ledger's rules shared by filing and promotion.
enum Cases {
    /// Refuses an actor who holds none of the roles that handle cases today.
    static func requireCaseRole(_ db: Database, _ actor: Actor, unit unitCode: String? = nil, now: Date) throws {
        guard let person = actor.personId else {
            throw GridbookError.notAllowed("cases are handled by township staff, mediators and county admins; say who you are (--as)")
        }
        var calendar = try Settings.calendar(db)
        let today = calendar.localDate(epochSeconds: Int(now.timeIntervalSince1970))
        let duties = try Duty.filter(Column("person_id") == person).fetchAll(db).filter { $0.isActive(on: today) }
        guard duties.map(\.role).contains(where: Permission.handleCases.roles.contains) else {
            throw GridbookError.notAllowed("\(person) is not township staff, a mediator or a county admin")
        }
        // And the case's unit within the person's (SPEC section 6: at or below the units of
        // their active duties), for the command line's --as as for the API's token; an unknown
        // unit is left to the caller to name. The same words wherever the case sits.
        guard let unitCode else { return }
        let chain = try Hierarchy.chain(db, of: unitCode)
        guard chain.isEmpty || duties.contains(where: { chain.contains($0.unitCode) }) else {
            throw GridbookError.notAllowed("this is outside your units")
        }
    }

    /// Checks and stores a new accepted case with its first ledger entry.
    static func insert(_ db: Database, _ new: NewCase, riskId: String?, by actor: Actor, now: Date) throws -> DisputeCase {
        let title = new.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw GridbookError.invalid(field: "title", problem: "is empty") }
        guard try IssueCategory.exists(db, key: new.category) else {
            throw GridbookError.invalid(field: "category", problem: "unknown issue category \(new.category)")
        }
        try RecordCode.check(new.unitCode, field: "unit_code")
        guard try Hierarchy.unit(db, code: new.unitCode) != nil else { throw GridbookError.notFound("unit \(new.unitCode)") }
        var calendar = try Settings.calendar(db)
        let seconds = Int(now.timeIntervalSince1970)
        let today = calendar.localDate(epochSeconds: seconds)
        let level = new.level ?? .village
        if let reported = new.reportedAt, reported.epochSeconds > seconds + 300 {
            throw GridbookError.invalid(field: "reported_at", problem: "\(reported.text) is in the future")
        }
        let dispute = DisputeCase(
            id: try SequentialID.next(db, table: "cases", prefix: "\(today.components.year)-"), title: title, category: new.category,
            parties: new.parties.trimmingCharacters(in: .whitespacesAndNewlines), source: new.source,
            reportedAt: new.reportedAt.map { Timestamp(epochSeconds: min($0.epochSeconds, seconds)).text }, riskId: riskId,
            unitCode: new.unitCode, level: level, status: .accepted, track: .mediation, assignee: nil,
            deadline: try DeadlinePolicy.load(db).deadline(from: today, days: level.deadlineDays), acceptedAt: Timestamp(epochSeconds: seconds).text,
            finishedAt: nil, feedbackGiven: false, satisfaction: nil
        )
        try dispute.insert(db)
        try ledger(db, dispute.id, actor, "accept", riskId.map { "promoted from risk \($0)" } ?? "filed (\(new.source.rawValue))", now: now)
        try Audit.record(db, actor, "case.create", "case", dispute.id, detail: "\(dispute.level.rawValue) \(dispute.title)", at: now)
        try Audit.event(db, "case.created", dispute.id, dispute, at: now)
        return dispute
    }

    /// Appends one line to a case's ledger.
    static func ledger(_ db: Database, _ caseId: String, _ actor: Actor, _ action: String, _ note: String, now: Date) throws {
        var entry = LedgerEntry(id: nil, caseId: caseId, at: Timestamp(epochSeconds: Int(now.timeIntervalSince1970)).text,
                                actor: actor.id, action: action, note: note)
        try entry.insert(db)
    }
}
