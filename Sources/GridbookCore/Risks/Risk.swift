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

    enum CodingKeys: String, CodingKey {
        case id, category, level, title, description, status, source
        case unitCode = "unit_code"
        case householdCode = "household_code"
        case reportedBy = "reported_by"
        case reportedAt = "reported_at"
        case visitId = "visit_id"
        case reviewDue = "review_due"
        case caseId = "case_id"
    }

    /// Encodes every key, absent ones as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(unitCode, forKey: .unitCode)
        try container.encode(householdCode, forKey: .householdCode)
        try container.encode(category, forKey: .category)
        try container.encode(level, forKey: .level)
        try container.encode(title, forKey: .title)
        try container.encode(description, forKey: .description)
        try container.encode(status, forKey: .status)
        try container.encode(source, forKey: .source)
        try container.encode(reportedBy, forKey: .reportedBy)
        try container.encode(reportedAt, forKey: .reportedAt)
        try container.encode(visitId, forKey: .visitId)
        try container.encode(reviewDue, forKey: .reviewDue)
        try container.encode(caseId, forKey: .caseId)
    }
}

extension Risk: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "risks"

    /// The table's columns.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let unitCode = Column(CodingKeys.unitCode)
        public static let status = Column(CodingKeys.status)
        public static let level = Column(CodingKeys.level)
        public static let category = Column(CodingKeys.category)
        public static let reviewDue = Column(CodingKeys.reviewDue)
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

    enum CodingKeys: String, CodingKey {
        case id, at, note
        case riskId = "risk_id"
        case personId = "person_id"
    }
}

extension RiskFollowUp: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "risk_follow_ups"

    /// Keeps the row id SQLite gave the follow-up.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
