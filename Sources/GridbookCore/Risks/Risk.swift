import GRDB

/// How urgent a risk is (local colour levels): red at once, orange the same day, yellow on site, blue watch.
public enum RiskLevel: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case red, orange, yellow, blue

    /// Days from the report to the first review unless set (SPEC section 3): 1, 3, 7, 30.
    public var reviewDays: Int {
        switch self {
        case .red: 1
        case .orange: 3
        case .yellow: 7
        case .blue: 30
        }
    }
}

/// Where a risk stands: open, watched, settled in the grid, or promoted to a case.
public enum RiskStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case open, monitoring, resolved, promoted

    /// The statuses an update may move a risk to from this one (promotion has its own action).
    public var next: [RiskStatus] {
        switch self {
        case .open: [.monitoring, .resolved]
        case .monitoring: [.open, .resolved]
        case .resolved: [.open]
        case .promoted: []
        }
    }
}

/// How a risk came to be known.
public enum RiskSource: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case visit, patrol, report, hotline
}

/// A risk or hazard found in a grid (风险隐患).
public struct Risk: Codable, Equatable, Sendable, Identifiable {
    /// `R2026-000001`: R, the year it was reported, a sequence.
    public var id: String
    /// The grid it is in.
    public var unitCode: String
    public var householdCode: String?
    /// An issue category code.
    public var category: String
    public var level: RiskLevel
    public var title: String
    public var description: String
    public var status: RiskStatus
    public var source: RiskSource
    public var reportedBy: String
    /// ISO 8601 UTC.
    public var reportedAt: String
    public var visitId: String?
    public var reviewDue: LocalDate
    /// The case it was promoted to.
    public var caseId: String?
}

extension Risk: GridbookRecord, PersistableRecord {
    public static let databaseTableName = "risks"

    /// The table's columns.
    public enum Columns {
        public static let id = Column("id")
        public static let unitCode = Column("unit_code")
        public static let householdCode = Column("household_code")
        public static let category = Column("category")
        public static let level = Column("level")
        public static let title = Column("title")
        public static let description = Column("description")
        public static let status = Column("status")
        public static let source = Column("source")
        public static let reportedBy = Column("reported_by")
        public static let reportedAt = Column("reported_at")
        public static let visitId = Column("visit_id")
        public static let reviewDue = Column("review_due")
        public static let caseId = Column("case_id")
    }
}

/// A follow-up on a risk: who looked at it, when, and what they found.
public struct RiskFollowUp: Codable, Equatable, Sendable {
    public var id: Int64?
    public var riskId: String
    /// ISO 8601 UTC.
    public var at: String
    public var personId: String
    public var note: String
}

extension RiskFollowUp: GridbookRecord, MutablePersistableRecord {
    public static let databaseTableName = "risk_follow_ups"

    /// Keeps the row id SQLite gave the follow-up.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The table's columns.
    public enum Columns {
        public static let id = Column("id")
        public static let riskId = Column("risk_id")
        public static let at = Column("at")
        public static let personId = Column("person_id")
        public static let note = Column("note")
    }
}
