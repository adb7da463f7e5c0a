import GRDB

// MARK: - Reads

extension AppDatabase {
    /// The unit with this code.
    public func unit(code: String) throws -> Unit {
        guard let unit = try read({ try Hierarchy.unit($0, code: code) }) else { throw GridbookError.notFound("unit \(code)") }
        return unit
    }

    /// The county, the top of the hierarchy.
    public func county() throws -> Unit {
        let county = try read { db in
            try Unit.filter(Unit.Columns.level == UnitLevel.county.rawValue).fetchOne(db)
        }
        guard let county else {
            throw GridbookError.invalid(field: "units", problem: "the database has no units yet; import some with `gridbook import DIR`")
        }
        return county
    }

    /// Units by level then code: all of them, or a unit and those under it; optionally of one level.
    public func units(under code: String? = nil, level: UnitLevel? = nil) throws -> [Unit] {
        let units = try read { db -> [Unit] in
            guard let code else { return try Hierarchy.allUnits(db) }
            guard let unit = try Hierarchy.unit(db, code: code) else { throw GridbookError.notFound("unit \(code)") }
            return [unit] + (try Hierarchy.descendants(db, of: code))
        }
        return level.map { level in units.filter { $0.level == level } } ?? units
    }
}
