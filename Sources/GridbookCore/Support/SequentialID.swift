import Foundation
import GRDB

/// Readable ids that count up within a prefix: `2026-000123` for cases, `R2026-000007` for risks.
enum SequentialID {
    /// The next id after the largest one in `table` that starts with `prefix`: six digits at least,
    /// more past 999,999 (counted by number, so `2026-1000000` follows `2026-999999`).
    /// Called inside the write transaction that stores the record, so two writers never share one.
    static func next(_ db: Database, table: String, prefix: String) throws -> String {
        // The range reads the primary key's index; ':' sorts right after '9'.
        let query: SQL = """
            SELECT MAX(CAST(substr(id, \(prefix.utf8.count + 1)) AS INTEGER)) FROM \(identifier: table)
            WHERE id >= \(prefix) AND id < \(prefix + ":")
            """
        let last = try SQLRequest<Int?>(literal: query).fetchOne(db) ?? nil
        return prefix + String(format: "%06d", (last ?? 0) + 1)
    }
}
