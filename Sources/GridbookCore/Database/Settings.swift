import Foundation
import GRDB
import Synchronization

/// Deployment settings stored in the database.
public enum Settings {
    /// The deployment's time zone (default Asia/Shanghai): every local date is taken in it.
    public static func timeZone(_ db: Database) throws -> TimeZone {
        let identifier = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM settings WHERE key = 'time_zone'")) ?? "Asia/Shanghai"
        if let zone = knownZones.withLock({ $0[identifier] }) { return zone }
        guard let zone = TimeZone(identifier: identifier) else { throw UnknownTimeZone(identifier: identifier) }
        knownZones.withLock { $0[identifier] = zone }
        return zone
    }

    /// Time zones already read from the system's database, by identifier (every request needs one).
    private static let knownZones = Mutex<[String: TimeZone]>([:])

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

extension AppDatabase {
    /// The deployment's time zone identifier.
    public func timeZoneIdentifier() async throws -> String {
        try await read { db in try Settings.timeZone(db).identifier }
    }

    /// Changes the deployment's time zone, and with it the local date of every visit and each
    /// household's latest met date, in one transaction.
    public func setTimeZone(_ identifier: String, by actor: Actor = .system) async throws {
        // Area/Location names only (Asia/Shanghai), or UTC: abbreviations are ambiguous (CST is
        // also US Central time).
        guard identifier.contains("/") || identifier == "UTC", let zone = TimeZone(identifier: identifier) else {
            throw GridbookError.invalid(field: "time_zone", problem: "\(identifier) is not a time zone (for example Asia/Shanghai)")
        }
        try await write { db in
            try db.execute(sql: "UPDATE settings SET value = ? WHERE key = 'time_zone'", arguments: [zone.identifier])
            // One statement over every visit, with the new zone's local date as an SQL function:
            // nothing is held in memory however many visits there are.
            let calendar = Mutex(LocalCalendar(timeZone: zone))
            // gridbook_local_date(visited_at, visited_on): a time that cannot be read keeps its date.
            let localDate = DatabaseFunction("gridbook_local_date", argumentCount: 2, pure: true) { values in
                guard let text = String.fromDatabaseValue(values[0]), let timestamp = Timestamp(text) else { return values[1] }
                return calendar.withLock { $0.localDate(of: timestamp) }.description
            }
            db.add(function: localDate)
            defer { db.remove(function: localDate) }
            try db.execute(sql: """
                UPDATE visits SET visited_on = gridbook_local_date(visited_at, visited_on)
                WHERE visited_on IS NOT gridbook_local_date(visited_at, visited_on)
                """)
            try refreshLastMet(db)
            try Audit.record(db, actor, "settings.time_zone", "settings", "time_zone", detail: zone.identifier, at: clock.now())
        }
    }
}
