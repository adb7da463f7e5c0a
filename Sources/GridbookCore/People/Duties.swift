import GRDB

/// Questions about who holds which duty where, on a date.
public enum Duties {
    /// Whether `person` holds a duty on `date` that covers the household: on its grid (grid
    /// member, police), its block (block head), or any unit above the grid.
    static func covers(_ db: Database, person: String, household: Household, on date: LocalDate) throws -> Bool {
        // One statement prepared once and kept: every visit logged runs it.
        let statement = try db.cachedStatement(sql: """
            WITH RECURSIVE up(code, parent_code, depth) AS (
                SELECT code, parent_code, 0 FROM units WHERE code = ?
                UNION ALL
                SELECT units.code, units.parent_code, up.depth + 1 FROM units JOIN up ON units.code = up.parent_code
                WHERE up.depth < 8
            )
            SELECT EXISTS (
                SELECT 1 FROM duties
                WHERE person_id = ? AND (unit_code IN (SELECT code FROM up) OR unit_code = ?)
                  AND \(Duty.activeCondition("duties")))
            """)
        return try Bool.fetchOne(statement, arguments: [household.gridCode, person, household.blockCode, date, date]) ?? false
    }
}
