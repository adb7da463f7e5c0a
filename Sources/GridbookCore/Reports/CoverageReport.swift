import GRDB

/// A unit named in a report.
public struct UnitSummary: Codable, Equatable, Sendable {
    public var code: String
    public var name: String
    public var level: String
}

/// Visit coverage counts for a set of households (SPEC section 3).
public struct CoverageCounts: Codable, Equatable, Sendable {
    public var households = 0
    public var covered = 0
    /// covered / households as a percentage with one decimal; nil when there are no households.
    public var coverage: Double?
    public var overdue = 0
    public var neverVisited = 0

    /// No households yet.
    public init() {}

    /// Counts one household's state.
    mutating func add(_ state: ScheduleState) {
        households += 1
        if state.isCovered { covered += 1 }
        if state.isOverdue { overdue += 1 }
        if state.neverVisited { neverVisited += 1 }
        coverage = Self.percentage(covered, of: households)
    }

    /// Adds another set's counts.
    mutating func add(_ other: CoverageCounts) {
        households += other.households
        covered += other.covered
        overdue += other.overdue
        neverVisited += other.neverVisited
        coverage = Self.percentage(covered, of: households)
    }

    /// `part / whole` as a percentage rounded half up to one decimal; nil when `whole` is 0.
    public static func percentage(_ part: Int, of whole: Int) -> Double? {
        guard whole > 0 else { return nil }
        let tenths = (part * 2000 + whole) / (2 * whole)
        return Double(tenths) / 10
    }

    /// A percentage (already × 100, as every rate here is) as people read it, `90.6%`; `–` for none.
    public static func percentText(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0) } ?? "–"
    }
}

/// One row of the coverage report: a child unit, or a household when the unit is a grid or block.
public struct CoverageRow: Codable, Equatable, Sendable {
    public var code: String
    public var name: String
    /// A unit level, or `household`.
    public var level: String
    public var counts: CoverageCounts

    /// Creates a row.
    public init(code: String, name: String, level: String, counts: CoverageCounts) {
        self.code = code
        self.name = name
        self.level = level
        self.counts = counts
    }

    enum CodingKeys: String, CodingKey { case code, name, level }

    /// Decodes a row whose counts sit beside its code, name and level.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        name = try container.decode(String.self, forKey: .name)
        level = try container.decode(String.self, forKey: .level)
        counts = try CoverageCounts(from: decoder)
    }

    /// Encodes the counts beside the code, name and level, as the API shows them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(name, forKey: .name)
        try container.encode(level, forKey: .level)
        try counts.encode(to: encoder)
    }
}

/// Visit coverage of a unit as of a date: a row per child unit and a total (SPEC sections 3 and 6).
public struct CoverageReport: Codable, Equatable, Sendable {
    public var unit: UnitSummary
    public var asOf: LocalDate
    public var rows: [CoverageRow]
    public var total: CoverageCounts

    /// Builds the report for `unit` as of `asOf`; rows are the unit's children by code, or its
    /// households when the unit is a grid or a block.
    public static func make(_ db: Database, unit: Unit, asOf: LocalDate) throws -> CoverageReport {
        var total = CoverageCounts()
        var rows: [CoverageRow] = []
        if unit.level == .grid || unit.level == .block {
            for input in try Schedule.inputs(db, under: unit, asOf: asOf).sorted(by: { $0.householdCode < $1.householdCode }) {
                let state = input.state(on: asOf)
                var counts = CoverageCounts()
                counts.add(state)
                total.add(state)
                rows.append(CoverageRow(code: input.householdCode, name: input.headName, level: "household", counts: counts))
            }
        } else {
            let rollUp = try CoverageRollUp(db, top: unit, on: asOf)
            total = rollUp.total
            rows = (rollUp.children[unit.code] ?? []).map { child in
                CoverageRow(code: child.code, name: child.name, level: child.level.rawValue, counts: rollUp.counts(of: child.code))
            }
        }
        return CoverageReport(
            unit: UnitSummary(code: unit.code, name: unit.name, level: unit.level.rawValue),
            asOf: asOf, rows: rows, total: total
        )
    }
}
