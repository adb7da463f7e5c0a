import GRDB

/// A unit named in a list of gaps.
public struct UnitRef: Codable, Equatable, Sendable {
    public var code: String
    public var name: String
}

/// Where the hierarchy lacks people on duty (SPEC section 6, `GET /api/v1/reports/pairing`),
/// counting active duties only.
public struct PairingReport: Codable, Equatable, Sendable {
    public var unit: UnitSummary
    public var gridsWithoutGridMember: [UnitRef]
    public var gridsWithoutPolice: [UnitRef]
    public var gridsWithoutPartyGroup: [UnitRef]
    public var villagesWithoutAuxiliaryPolice: [UnitRef]
    public var blocksWithoutHead: [UnitRef]
}

extension AppDatabase {
    /// The pairing gaps under a unit on a date (default today): grids without an active grid
    /// member, paired officer or party group; villages without an auxiliary officer; blocks
    /// without a head.
    public func pairingReport(unitCode: String? = nil, on date: LocalDate? = nil) async throws -> PairingReport {
        let unit = try await unit(orCounty: unitCode)
        return try await readReport { db in
            var calendar = try Settings.calendar(db)
            return try PairingReport.read(db, under: unit, on: date ?? calendar.today(now: clock.now()))
        }
    }
}

extension PairingReport {
    /// ``AppDatabase/pairingReport(unitCode:on:)`` inside a read already begun.
    static func read(_ db: Database, under unit: Unit, on date: LocalDate) throws -> PairingReport {
        func lacking(_ level: UnitLevel, _ role: Role) throws -> [UnitRef] {
            try SQLRequest<UnitRef>(literal: """
                WITH RECURSIVE \(Hierarchy.subtreeCTE(of: unit))
                SELECT units.code, units.name FROM units JOIN subtree USING (code)
                WHERE units.level = \(level.rawValue) AND NOT EXISTS (
                    SELECT 1 FROM duties WHERE duties.unit_code = units.code AND duties.role = \(role.rawValue)
                      AND \(Duty.activeSQL("duties", on: date)))
                ORDER BY units.code
                """).fetchAll(db)
        }
        let withoutGroup = try SQLRequest<UnitRef>(literal: """
            WITH RECURSIVE \(Hierarchy.subtreeCTE(of: unit))
            SELECT units.code, units.name FROM units JOIN subtree USING (code)
            WHERE units.level = 'grid' AND NOT EXISTS (SELECT 1 FROM party_group_grids WHERE grid_code = units.code)
            ORDER BY units.code
            """).fetchAll(db)
        return PairingReport(
            unit: UnitSummary(code: unit.code, name: unit.name, level: unit.level.rawValue),
            gridsWithoutGridMember: try lacking(.grid, .gridMember),
            gridsWithoutPolice: try lacking(.grid, .police),
            gridsWithoutPartyGroup: withoutGroup,
            villagesWithoutAuxiliaryPolice: try lacking(.village, .auxiliaryPolice),
            blocksWithoutHead: try lacking(.block, .blockHead)
        )
    }
}

extension UnitRef: GridbookRecord {}
