import Foundation
import GRDB

/// Deployment settings stored in the database.
public enum Settings {
    /// The deployment's time zone (default Asia/Shanghai): every local date is taken in it.
    public static func timeZone(_ db: Database) throws -> TimeZone {
        let identifier = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'time_zone'") ?? "Asia/Shanghai"
        guard let zone = TimeZone(identifier: identifier) else { throw UnknownTimeZone(identifier: identifier) }
        return zone
    }

    /// The stored time zone is not one this system knows.
    public struct UnknownTimeZone: Error, CustomStringConvertible {
        public let identifier: String
        public var description: String { "unknown time zone \(identifier)" }
    }

    /// A calendar in the deployment's time zone.
    public static func calendar(_ db: Database) throws -> LocalCalendar {
        LocalCalendar(timeZone: try timeZone(db))
    }
}
