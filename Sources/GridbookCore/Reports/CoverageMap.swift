import Foundation
import GRDB
import Mustache

/// Coverage of every unit from one unit down to its grids, in tree order: the data of the
/// coverage map a township head opens in a browser.
public struct CoverageTree: Equatable, Sendable {
    /// One unit of the tree with its counts and depth below the top (0 for the top).
    public struct Node: Equatable, Sendable {
        public var unit: Unit
        public var depth: Int
        public var counts: CoverageCounts
    }

    public var asOf: LocalDate
    /// The top unit first, then each child followed by its own subtree, by code.
    public var nodes: [Node]
}

extension AppDatabase {
    /// Coverage of a unit (default: the county) and every unit under it down to the grids, as of
    /// a date (default: today), counted once per household by the schedule rule.
    public func coverageTree(unitCode: String? = nil, asOf: LocalDate? = nil) async throws -> CoverageTree {
        let top = try await unit(orCounty: unitCode)
        return try await readReport { db in
            var calendar = try Settings.calendar(db)
            let date = asOf ?? calendar.today(now: clock.now())
            let rollUp = try CoverageRollUp(db, top: top, on: date)
            var nodes = [CoverageTree.Node(unit: top, depth: 0, counts: rollUp.total)]
            func visit(_ code: String, depth: Int) {
                for child in rollUp.children[code] ?? [] {
                    nodes.append(CoverageTree.Node(unit: child, depth: depth, counts: rollUp.counts(of: child.code)))
                    visit(child.code, depth: depth + 1)
                }
            }
            visit(top.code, depth: 1)
            return CoverageTree(asOf: date, nodes: nodes)
        }
    }
}

/// The coverage map: one self-contained HTML page (no external assets) with a heat table of
/// coverage from a unit down to its grids, readable in Chinese on a laptop and a phone.
public enum CoverageMap {
    /// Coverage at or above this is green.
    public static let goodFrom = 95.0
    /// Coverage at or above this (and below ``goodFrom``) is yellow; below it, red.
    public static let fairFrom = 85.0

    /// The page's template: `Resources/coverage-map.mustache`, embedded in the executable.
    /// Mustache escapes every value it puts in the page, so a unit's name is text, never markup.
    static let template = Result { try MustacheTemplate(string: String(decoding: PackageResources.coverage_map_mustache, as: UTF8.self)) }

    /// The page for a coverage tree.
    public static func html(_ tree: CoverageTree) throws -> String {
        guard let top = tree.nodes.first else { return "" }
        let percent = { (coverage: Double?) in coverage.map { String(format: "%.1f%%", $0) } ?? "–" }
        let rows: [[String: Any]] = tree.nodes.map { node in
            let counts = node.counts
            return [
                "depth": node.depth, "level": node.unit.level.rawValue, "indent": String(format: "%.1f", 0.3 + Double(node.depth) * 0.9),
                "name": node.unit.name, "code": node.unit.code, "households": counts.households, "covered": counts.covered,
                "band": band(counts.coverage), "width": Int((counts.coverage ?? 0).rounded()), "coverage": percent(counts.coverage),
                "late": counts.overdue > 0, "overdue": counts.overdue, "neverVisited": counts.neverVisited,
            ]
        }
        let page: [String: Any] = [
            "name": top.unit.name, "asOf": tree.asOf.description, "households": top.counts.households,
            "coverage": percent(top.counts.coverage), "overdue": top.counts.overdue,
            "goodFrom": Int(goodFrom), "fairFrom": Int(fairFrom), "rows": rows,
        ]
        return try template.get().render(page)
    }

    /// The colour band of a coverage percentage.
    public static func band(_ coverage: Double?) -> String {
        guard let coverage else { return "none" }
        return coverage >= goodFrom ? "good" : coverage >= fairFrom ? "fair" : "poor"
    }
}
