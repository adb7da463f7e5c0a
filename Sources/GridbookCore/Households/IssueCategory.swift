import GRDB

/// What risks and cases are about: a kind of dispute or hazard.
public struct IssueCategory: Codable, Equatable, Sendable {
    /// Disputes are cases between parties; hazards are dangers found in the grid.
    public enum Kind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case dispute, hazard
    }

    public var code: String
    public var label: String
    public var kind: Kind

    /// Creates an issue category.
    public init(code: String, label: String, kind: Kind) {
        self.code = code
        self.label = label
        self.kind = kind
    }
}

extension IssueCategory: GridbookRecord, PersistableRecord {
    public static let databaseTableName = "issue_categories"

    /// The table's columns.
    public enum Columns {
        public static let code = Column("code")
        public static let label = Column("label")
        public static let kind = Column("kind")
    }
}

extension AppDatabase {
    /// The dispute and hazard categories, disputes first, in the order the county lists them.
    public func issueCategories() async throws -> [IssueCategory] {
        try await read { db in try IssueCategory.order(sql: "kind, rowid").fetchAll(db) }
    }
}
