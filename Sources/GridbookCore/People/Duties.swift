import GRDB

/// Questions about who holds which duty where, on a date.
public enum Duties {
    /// Whether `person` holds a duty on `date` that covers the household: on its grid (grid
    /// member, police), its block (block head), or any unit above the grid.
    static func covers(_ db: Database, person: String, household: Household, on date: LocalDate) throws -> Bool {
        var units = [household.gridCode]
        if let block = household.blockCode { units.append(block) }
        if let grid = try Unit.fetchOne(db, key: household.gridCode) {
            units += try Hierarchy.ancestors(db, of: grid).map(\.code)
        }
        return try Bool.fetchOne(db, sql: """
            SELECT EXISTS (
                SELECT 1 FROM duties
                WHERE person_id = ? AND unit_code IN (SELECT value FROM json_each(?))
                  AND since <= ? AND (until IS NULL OR until > ?))
            """, arguments: [person, units.jsonArray, date, date]) ?? false
    }
}

extension Array where Element == String {
    /// The strings as a JSON array, for `json_each` (a list bound as one argument).
    var jsonArray: String {
        "[" + map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "]"
    }
}
