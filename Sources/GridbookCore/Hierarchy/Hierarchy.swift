import GRDB

/// Questions about the shape of the hierarchy: who is under whom.
public enum Hierarchy {
    /// A unit and every unit below it, as SQL to use inside `WITH RECURSIVE`: `subtree(code, level)`.
    /// The county is every unit (there is one county, and every unit lies under it), read without
    /// walking the tree: the walk is a lookup per unit, about 12 ms for a county of 5,600 units,
    /// and a county-wide report asks for it several times.
    static func subtreeCTE(of unit: Unit) -> SQL {
        if unit.level == .county { return "subtree(code, level) AS (SELECT code, level FROM units)" }
        return subtreeCTE(of: unit.code)
    }

    /// ``subtreeCTE(of:)-(Unit)`` for a unit known by its code only (always walks the tree).
    static func subtreeCTE(of code: String) -> SQL {
        """
        subtree(code, level) AS (
            SELECT code, level FROM units WHERE code = \(code)
            UNION ALL
            SELECT units.code, units.level FROM units JOIN subtree ON units.parent_code = subtree.code
        )
        """
    }

    /// The condition that a household row (of table `alias`) lies at or under `unit`: its block for
    /// a block, its grid for a grid, else its grid among the grids of `subtree` (use inside
    /// ``subtreeCTE(of:)``).
    static func householdCondition(_ unit: Unit, alias: String) -> SQL {
        switch unit.level {
        case .block: "\(sql: alias).block_code = \(unit.code)"
        case .grid: "\(sql: alias).grid_code = \(unit.code)"
        default: "\(sql: alias).grid_code IN (SELECT code FROM subtree WHERE level = 'grid')"
        }
    }

    /// The codes of a unit and every unit under it, as a subquery: `column IN \(codesSQL(…))`;
    /// 404 when the unit is unknown. (One statement however many units a county has; a bound
    /// list would meet SQLite's limit on arguments in a county of tens of thousands of blocks.)
    static func codesSQL(atOrUnder code: String, _ db: Database) throws -> SQL {
        guard let unit = try unit(db, code: code) else { throw GridbookError.notFound("unit \(code)") }
        return codesSQL(atOrUnder: unit)
    }

    /// ``codesSQL(atOrUnder:_:)-(String,_)`` for a unit already read.
    static func codesSQL(atOrUnder unit: Unit) -> SQL {
        if unit.level == .county { return "(SELECT code FROM units)" }
        return "(WITH RECURSIVE \(subtreeCTE(of: unit)) SELECT code FROM subtree)"
    }

    /// The codes of a unit and every unit under it; 404 when the unit is unknown.
    static func codes(atOrUnder code: String, _ db: Database) throws -> Set<String> {
        guard try Unit.exists(db, key: code) else { throw GridbookError.notFound("unit \(code)") }
        return Set([code] + (try descendants(db, of: code).map(\.code)))
    }

    /// The unit with this code, or nil.
    public static func unit(_ db: Database, code: String) throws -> Unit? {
        try Unit.fetchOne(db.cachedStatement(sql: "SELECT * FROM units WHERE code = ?"), arguments: [code])
    }

    /// The unit's ancestors, from its parent up to the county.
    public static func ancestors(_ db: Database, of unit: Unit) throws -> [Unit] {
        try Unit.fetchAll(db.cachedStatement(sql: """
            WITH RECURSIVE up(code, depth) AS (
                SELECT parent_code, 1 FROM units WHERE code = ?
                UNION ALL
                SELECT units.parent_code, up.depth + 1 FROM units JOIN up ON units.code = up.code WHERE up.depth < 8
            )
            SELECT units.* FROM up JOIN units ON units.code = up.code ORDER BY up.depth
            """), arguments: [unit.code])
    }

    /// The code of a unit and of each of its ancestors, from the unit up to the county; empty
    /// when there is no such unit. One statement, for checks made on every request.
    public static func chain(_ db: Database, of code: String) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: """
            WITH RECURSIVE up(code, parent_code, depth) AS (
                SELECT code, parent_code, 0 FROM units WHERE code = ?
                UNION ALL
                SELECT units.code, units.parent_code, up.depth + 1 FROM units JOIN up ON units.code = up.parent_code
                WHERE up.depth < 8
            )
            SELECT code FROM up ORDER BY depth
            """), arguments: [code])
    }

    /// Every unit under `code` (not the unit itself), by level then code.
    public static func descendants(_ db: Database, of code: String) throws -> [Unit] {
        let request: SQLRequest<Unit> = """
            WITH RECURSIVE \(subtreeCTE(of: code))
            SELECT units.* FROM units JOIN subtree USING (code)
            WHERE units.code <> \(code)
            """
        return try request.fetchAll(db).sorted { ($0.level.depth, $0.code) < ($1.level.depth, $1.code) }
    }

    /// All units, by level then code.
    public static func allUnits(_ db: Database) throws -> [Unit] {
        try Unit.fetchAll(db).sorted { ($0.level.depth, $0.code) < ($1.level.depth, $1.code) }
    }
}
