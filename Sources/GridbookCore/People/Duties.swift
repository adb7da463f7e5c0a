import GRDB

/// Questions about who holds which duty where, on a date.
public enum Duties {
    /// Whether `person` holds a duty on `date` that covers the household: on its grid (grid
    /// member, police), its block (block head), or any unit above the grid.
    static func covers(_ db: Database, person: String, household: Household, on date: LocalDate) throws -> Bool {
        var units = try Hierarchy.chain(db, of: household.gridCode)
        if let block = household.blockCode { units.append(block) }
        return try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (
                SELECT 1 FROM duties
                WHERE person_id = ? AND unit_code IN (SELECT value FROM json_each(?))
                  AND since <= ? AND (until IS NULL OR until > ?))
            """), arguments: [person, units.jsonArray, date, date]) ?? false
    }
}

extension Array where Element == String {
    /// The strings as a JSON array, for `json_each` (a list bound as one argument).
    var jsonArray: String {
        "[" + map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "]"
    }
}
