import Foundation
import GRDB

// MARK: - Reads

extension AppDatabase {
    /// The unit with this code.
    public func unit(code: String) async throws -> Unit {
        guard let unit = try await read({ try Hierarchy.unit($0, code: code) }) else { throw GridbookError.notFound("unit \(code)") }
        return unit
    }

    /// The unit with this code, or the county when the code is nil.
    public func unit(orCounty code: String?) async throws -> Unit {
        if let code { return try await unit(code: code) }
        return try await county()
    }

    /// The county, the top of the hierarchy.
    public func county() async throws -> Unit {
        let county = try await read { db in
            try Unit.filter(Unit.Columns.level == UnitLevel.county.rawValue).fetchOne(db)
        }
        guard let county else {
            throw GridbookError.invalid(field: "units", problem: "the database has no units yet; import some with `gridbook import DIR`")
        }
        return county
    }

    /// Units by level then code: all of them, or a unit and those under it; optionally of one level.
    public func units(under code: String? = nil, level: UnitLevel? = nil) async throws -> [Unit] {
        let units = try await read { db -> [Unit] in
            guard let code else { return try Hierarchy.allUnits(db) }
            guard let unit = try Hierarchy.unit(db, code: code) else { throw GridbookError.notFound("unit \(code)") }
            return [unit] + (try Hierarchy.descendants(db, of: code))
        }
        return level.map { level in units.filter { $0.level == level } } ?? units
    }
}

/// A unit with the units above it and the units one level below (SPEC section 6, `GET /api/v1/units/{code}`).
public struct UnitDetail: Encodable, Equatable, Sendable {
    public var unit: Unit
    /// From the parent up to the county.
    public var parents: [UnitSummary]
    public var children: [UnitSummary]

    enum CodingKeys: String, CodingKey { case parents, children }

    /// Encodes the unit's own fields beside its parents and children.
    public func encode(to encoder: any Encoder) throws {
        try unit.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(parents, forKey: .parents)
        try container.encode(children, forKey: .children)
    }
}

extension UnitSummary {
    /// The summary of a unit.
    public init(_ unit: Unit) {
        self.init(code: unit.code, name: unit.name, level: unit.level.rawValue)
    }
}

extension AppDatabase {
    /// A unit, its parent chain and its children.
    public func unitDetail(code: String) async throws -> UnitDetail {
        try await read { db in
            guard let unit = try Hierarchy.unit(db, code: code) else { throw GridbookError.notFound("unit \(code)") }
            return UnitDetail(
                unit: unit,
                parents: try Hierarchy.ancestors(db, of: unit).map(UnitSummary.init),
                children: try Unit.all().children(of: code).fetchAll(db).map(UnitSummary.init)
            )
        }
    }

    // MARK: - Writes

    /// Adds a unit under a parent exactly one level up (the county has no parent; one per database).
    public func addUnit(_ unit: Unit, by actor: Actor = .system) async throws {
        var trimmed = unit
        trimmed.name = unit.name.trimmingCharacters(in: .whitespaces)
        let unit = trimmed
        try RecordCode.check(unit.code, field: "code")
        try await write { db in
            guard !unit.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw GridbookError.invalid(field: "name", problem: "is empty") }
            guard try Hierarchy.unit(db, code: unit.code) == nil else { throw GridbookError.conflict("unit \(unit.code) already exists") }
            if unit.level == .county {
                guard unit.parentCode == nil else { throw GridbookError.invalid(field: "parent", problem: "a county has no parent") }
                if let county = try Unit.filter(Unit.Columns.level == UnitLevel.county.rawValue).fetchOne(db) {
                    throw GridbookError.conflict("the database already has a county (\(county.code)); one county per database")
                }
            } else {
                try checkParent(db, of: unit, parentCode: unit.parentCode)
            }
            try unit.insert(db)
            try Audit.record(db, actor, "unit.add", "unit", unit.code, detail: "\(unit.level.rawValue) \(unit.name) under \(unit.parentCode ?? "-")", at: clock.now())
        }
    }

    /// Moves a unit under another parent of the right level. Everything hangs on units by code,
    /// so its subtree, households, visits and duties go with it and reports follow at once; a
    /// block's households take its new grid.
    public func moveUnit(code: String, to parentCode: String, by actor: Actor = .system) async throws -> Unit {
        try await write { db in
            guard var unit = try Hierarchy.unit(db, code: code) else { throw GridbookError.notFound("unit \(code)") }
            guard unit.level != .county else { throw GridbookError.invalid(field: "code", problem: "the county cannot move") }
            let below = try Hierarchy.descendants(db, of: code)
            if parentCode == code || below.contains(where: { $0.code == parentCode }) {
                throw GridbookError.invalid(field: "to", problem: "\(parentCode) is \(code) itself or under it")
            }
            try checkParent(db, of: unit, parentCode: parentCode)
            try Audit.record(db, actor, "unit.move", "unit", code, detail: "from \(unit.parentCode ?? "-") to \(parentCode)", at: clock.now())
            unit.parentCode = parentCode
            try unit.update(db)
            if unit.level == .block {
                // The block's households, and the risks found at them, now belong to the new grid.
                try db.execute(sql: "UPDATE households SET grid_code = ? WHERE block_code = ?", arguments: [parentCode, code])
                try db.execute(sql: """
                    UPDATE risks SET unit_code = ? WHERE household_code IN (SELECT code FROM households WHERE block_code = ?)
                    """, arguments: [parentCode, code])
            }
            return unit
        }
    }

    private func checkParent(_ db: Database, of unit: Unit, parentCode: String?) throws {
        guard let parentCode, !parentCode.isEmpty else {
            throw GridbookError.invalid(field: "parent", problem: "a \(unit.level.rawValue) needs a parent \(unit.level.parent?.rawValue ?? "")")
        }
        guard let parent = try Hierarchy.unit(db, code: parentCode) else { throw GridbookError.notFound("unit \(parentCode)") }
        guard parent.level == unit.level.parent else {
            throw GridbookError.invalid(field: "parent", problem: "\(parentCode) is a \(parent.level.rawValue); a \(unit.level.rawValue)'s parent must be a \(unit.level.parent?.rawValue ?? "-")")
        }
    }
}
