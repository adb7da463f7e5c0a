import GRDB

/// Coverage counts of a unit and of every unit under it down to its grids: each household
/// counted once by the schedule rule, on its grid, and each grid's counts added to every unit
/// above it up to the top. The one roll-up behind the coverage report and the coverage map.
struct CoverageRollUp {
    /// The top unit's counts: every household under it.
    private(set) var total = CoverageCounts()
    /// Counts by unit code, for every unit under the top down to the grids.
    private(set) var byUnit: [String: CoverageCounts] = [:]
    /// The units under the top (blocks left out), by parent code.
    let children: [String: [Unit]]

    /// Counts the households under `top` registered by `date`, as of `date`.
    init(_ db: Database, top: Unit, on date: LocalDate) throws {
        var byUnit: [String: CoverageCounts] = [:]
        var total = CoverageCounts()
        try Schedule.forEachInput(db, under: top, asOf: date) { input in
            let state = input.state(on: date)
            byUnit[input.gridCode, default: CoverageCounts()].add(state)
            total.add(state)
        }
        let units = try Hierarchy.descendants(db, of: top.code).filter { $0.level != .block }
        children = Dictionary(grouping: units, by: { $0.parentCode ?? "" }).mapValues { $0.sorted { $0.code < $1.code } }
        // Deepest units first, so that each unit's children are complete when it adds them up.
        for unit in units.sorted(by: { $0.level.depth > $1.level.depth }) where unit.level != .grid {
            for child in children[unit.code] ?? [] {
                byUnit[unit.code, default: CoverageCounts()].add(byUnit[child.code] ?? CoverageCounts())
            }
        }
        self.byUnit = byUnit
        self.total = total
    }

    /// The counts of one unit under the top (zero for a unit without households).
    func counts(of code: String) -> CoverageCounts {
        byUnit[code] ?? CoverageCounts()
    }
}
