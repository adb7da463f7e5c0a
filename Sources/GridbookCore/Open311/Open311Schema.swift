import GRDB

/// The Open311 request table.
enum Open311Schema {
    /// Creates the table of service requests filed through Open311.
    static func create(_ db: Database) throws {}
}
