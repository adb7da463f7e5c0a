import GRDB

/// A visit category: who lives in a household decides how often it must be visited.
public struct Category: Codable, Equatable, Sendable {
    /// `general` always exists and applies to households with no category.
    public static let generalCode = "general"

    public var code: String
    public var label: String
    /// Days between visits, 1 to 3650.
    public var intervalDays: Int

    /// Creates a visit category.
    public init(code: String, label: String, intervalDays: Int) {
        self.code = code
        self.label = label
        self.intervalDays = intervalDays
    }
}

extension Category: GridbookRecord, PersistableRecord {
    public static let databaseTableName = "categories"

    /// The table's columns.
    public enum Columns {
        public static let code = Column("code")
        public static let label = Column("label")
        public static let intervalDays = Column("interval_days")
    }
}
