import Foundation
import GRDB

/// Readable ids that count up within a prefix: `2026-000123` for cases, `R2026-000007` for risks.
enum SequentialID {
    /// The next id after the largest one in `table` that starts with `prefix` (six digits).
    /// Called inside the write transaction that stores the record, so two writers never share one.
    static func next(_ db: Database, table: String, prefix: String) throws -> String {
        let query: SQL = "SELECT MAX(id) FROM \(identifier: table) WHERE id LIKE \(prefix) || '%'"
        let last = try SQLRequest<String>(literal: query).fetchOne(db)
        let sequence = (last.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0) + 1
        return prefix + String(format: "%06d", sequence)
    }
}
