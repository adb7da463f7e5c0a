import GRDB

/// The level handling a case: small matters stay in the village, big ones in the township.
public enum CaseLevel: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case village, township, county

    /// Days to the deadline unless set (SPEC section 3): 7, 15, 30.
    public var deadlineDays: Int {
        switch self {
        case .village: 7
        case .township: 15
        case .county: 30
        }
    }

    /// The level an escalation goes to, or nil at the county.
    public var up: CaseLevel? {
        switch self {
        case .village: .township
        case .township: .county
        case .county: nil
        }
    }
}

/// Where a case stands.
public enum CaseStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case accepted, assigned
    case inProgress = "in_progress"
    case resolved, unresolved, closed

    /// Whether the case is finished (resolved or not), for the on-time rate.
    public var isFinished: Bool { self == .resolved || self == .unresolved || self == .closed }
}

/// How a case came in.
public enum CaseSource: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case visitDiscovery = "visit_discovery"
    case walkIn = "walk_in"
    case phone, letter, online, hotline
    /// A report in a village's chat group (微信群).
    case chatGroup = "chat_group"
    case open311
}

/// The way a case is being handled: mediation first, then the law, the courts, petition last.
public enum CaseTrack: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case mediation
    case judicialConfirmation = "judicial_confirmation"
    case litigation, petition
}

/// The parties' satisfaction at the follow-up call.
public enum Satisfaction: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case satisfied
    case basicallySatisfied = "basically_satisfied"
    case dissatisfied
}

/// What can be done to a case (SPEC section 6).
public enum CaseAction: String, Codable, Sendable, CaseIterable {
    /// An officer or cadre on site or in contact with the parties: the case's first response.
    case respond
    case dispatch, start, note, resolve, fail, escalate, feedback
    case followUp = "follow_up"
    case close, reopen
}

/// A dispute case in the county's ledger (一本账).
public struct DisputeCase: Codable, Equatable, Sendable, Identifiable {
    /// `2026-000123`: the year accepted, a sequence.
    public var id: String
    public var title: String
    public var category: String
    public var parties: String
    public var source: CaseSource
    /// When the resident reported it (ISO 8601 UTC), which may be before it was entered; nil
    /// when it was reported as it was entered.
    public var reportedAt: String?
    public var riskId: String?
    /// Where it arose.
    public var unitCode: String
    public var level: CaseLevel
    public var status: CaseStatus
    public var track: CaseTrack
    /// The responsible unit or department and person.
    public var assignee: String?
    public var deadline: LocalDate
    /// ISO 8601 UTC.
    public var acceptedAt: String
    /// When it was resolved or found unresolved.
    public var finishedAt: String?
    public var feedbackGiven: Bool
    public var satisfaction: Satisfaction?
}

extension DisputeCase: GridbookRecord, PersistableRecord {
    public static let databaseTableName = "cases"

    /// The case's ledger entries.
    static let ledger = hasMany(LedgerEntry.self, using: ForeignKey(["case_id"]))

    /// The table's columns.
    public enum Columns {
        public static let id = Column("id")
        public static let title = Column("title")
        public static let category = Column("category")
        public static let parties = Column("parties")
        public static let source = Column("source")
        public static let reportedAt = Column("reported_at")
        public static let riskId = Column("risk_id")
        public static let unitCode = Column("unit_code")
        public static let level = Column("level")
        public static let status = Column("status")
        public static let track = Column("track")
        public static let assignee = Column("assignee")
        public static let deadline = Column("deadline")
        public static let acceptedAt = Column("accepted_at")
        public static let finishedAt = Column("finished_at")
        public static let feedbackGiven = Column("feedback_given")
        public static let satisfaction = Column("satisfaction")
    }
}

/// One action in a case's ledger.
public struct LedgerEntry: Codable, Equatable, Sendable {
    public var id: Int64?
    public var caseId: String
    /// ISO 8601 UTC.
    public var at: String
    public var actor: String
    public var action: String
    public var note: String
}

extension LedgerEntry: GridbookRecord, MutablePersistableRecord {
    public static let databaseTableName = "case_ledger"

    /// Keeps the row id SQLite gave the entry.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The table's columns.
    public enum Columns {
        public static let id = Column("id")
        public static let caseId = Column("case_id")
        public static let at = Column("at")
        public static let actor = Column("actor")
        public static let action = Column("action")
        public static let note = Column("note")
    }
}

extension DisputeCase {
    /// Whether the case is past its deadline on `date` and not finished: the one overdue rule
    /// for cases, used by the case list, the reports, the digest and supervision. For a day that
    /// is over, `finishedThen` says whether the case was finished at its end
    /// (``wasFinished(ledger:before:)``): a case finished since was still overdue that day. Nil:
    /// as the case stands now.
    public func isOverdue(on date: LocalDate, finishedThen: Bool? = nil) -> Bool {
        !(finishedThen ?? status.isFinished) && deadline < date
    }

    /// The actions after which a case is finished (resolved, unresolved or closed), and those
    /// that open a finished one again (an escalation of an unresolved case, a reopening).
    static let finishingActions: Set<String> = [CaseAction.resolve.rawValue, CaseAction.fail.rawValue, CaseAction.close.rawValue]
    static let reopeningActions: Set<String> = [CaseAction.escalate.rawValue, CaseAction.reopen.rawValue]

    /// Whether a case was finished just before `instant` (a stored UTC time), by its ledger (oldest
    /// first; at least its finishing and reopening entries): the last of those before the instant
    /// finished it. A case with none then was open.
    public static func wasFinished(ledger: [LedgerEntry], before instant: String) -> Bool {
        let last = ledger.last { $0.at < instant && (finishingActions.contains($0.action) || reopeningActions.contains($0.action)) }
        return last.map { finishingActions.contains($0.action) } ?? false
    }

    /// Seconds from the resident's report (else the case's acceptance) to its first `respond`
    /// in the ledger (oldest first), or nil while no one has responded: the one first-response
    /// rule, for the case and every figure made of it.
    public func firstResponseSeconds(ledger: [LedgerEntry]) -> Int? {
        guard let first = ledger.first(where: { $0.action == CaseAction.respond.rawValue }),
              let responded = Timestamp(first.at), let start = Timestamp(reportedAt ?? acceptedAt)
        else { return nil }
        return max(0, responded.epochSeconds - start.epochSeconds)
    }
}
