import Foundation
import GRDB

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

    /// The page for a coverage tree.
    public static func html(_ tree: CoverageTree) -> String {
        guard let top = tree.nodes.first else { return "" }
        let title = "\(top.unit.name) 走访覆盖率 Visit coverage"
        var rows = ""
        for node in tree.nodes {
            let counts = node.counts
            let band = band(counts.coverage)
            let coverage = counts.coverage.map { String(format: "%.1f%%", $0) } ?? "–"
            let width = Int((counts.coverage ?? 0).rounded())
            rows += """
                <tr class="depth\(node.depth) \(node.unit.level.rawValue)">\
                <th scope="row" style="padding-left:\(0.3 + Double(node.depth) * 0.9)em">\(escape(node.unit.name))\
                <span class="code">\(escape(node.unit.code))</span></th>\
                <td class="num">\(counts.households)</td><td class="num opt">\(counts.covered)</td>\
                <td class="cov \(band)"><span class="bar" style="width:\(width)%"></span><span class="pct">\(coverage)</span></td>\
                <td class="num\(counts.overdue > 0 ? " warn" : "")">\(counts.overdue)</td>\
                <td class="num opt">\(counts.neverVisited)</td></tr>

                """
        }
        return """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) \(tree.asOf)</title>
            <style>
            body { font-family: -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
                   margin: 1em; color: #222; background: #fafafa; }
            h1 { font-size: 1.3em; margin: 0 0 .2em; }
            p.meta { color: #555; margin: 0 0 1em; }
            .legend span { display: inline-block; padding: .1em .6em; margin-right: .4em; border-radius: 3px; }
            .wrap { overflow-x: auto; }
            table { border-collapse: collapse; width: 100%; max-width: 60em; background: #fff; }
            th, td { padding: .35em .5em; border-bottom: 1px solid #e4e4e4; white-space: nowrap; }
            thead th { position: sticky; top: 0; background: #f0f0f0; text-align: right; font-weight: 600; }
            thead th:first-child { text-align: left; }
            th[scope=row] { text-align: left; font-weight: normal; }
            tr.depth0 th, tr.depth0 td, tr.township th { font-weight: 600; }
            tr.depth0 { background: #f5f5f5; }
            .code { color: #999; font-size: .75em; margin-left: .4em; }
            .num { text-align: right; font-variant-numeric: tabular-nums; }
            .warn { color: #b3261e; }
            td.cov { position: relative; min-width: 7em; text-align: right; font-variant-numeric: tabular-nums; }
            td.cov .bar { position: absolute; left: 0; top: 15%; height: 70%; opacity: .35; }
            td.cov .pct { position: relative; }
            .good { background: #dff3e3; } .good .bar { background: #1e8e3e; }
            .fair { background: #fff4cc; } .fair .bar { background: #e2a400; }
            .poor { background: #fbe0de; } .poor .bar { background: #c5221f; }
            .none { background: #eee; color: #888; }
            @media (max-width: 40em) {
                .code, .opt { display: none; } th, td { padding: .3em .3em; } body { margin: .5em; }
                th[scope=row] { white-space: normal; } td.cov { min-width: 5em; }
            }
            </style>
            </head>
            <body>
            <h1>\(escape(top.unit.name)) 走访覆盖率 <small>Visit coverage</small></h1>
            <p class="meta">截至 As of <strong>\(tree.asOf)</strong> · 户数 households \(top.counts.households) ·
            覆盖率 coverage \(top.counts.coverage.map { String(format: "%.1f%%", $0) } ?? "–") ·
            逾期 overdue \(top.counts.overdue)</p>
            <p class="legend">图例 Legend:
            <span class="good">≥ \(Int(goodFrom))%</span><span class="fair">\(Int(fairFrom))–\(Int(goodFrom))%</span>\
            <span class="poor">&lt; \(Int(fairFrom))%</span><span class="none">无住户 no households</span></p>
            <div class="wrap">
            <table>
            <thead><tr><th>单位 Unit</th><th>户数<br>Households</th><th class="opt">已覆盖<br>Covered</th><th>覆盖率<br>Coverage</th>\
            <th>逾期<br>Overdue</th><th class="opt">从未走访<br>Never visited</th></tr></thead>
            <tbody>
            \(rows)</tbody>
            </table>
            </div>
            <p class="meta">已覆盖：在走访周期内有“见到本人”的走访；逾期：下次走访日期已过。
            Covered: met within its visit interval. Overdue: next visit date has passed. Generated by Gridbook.</p>
            </body>
            </html>

            """
    }

    /// The colour band of a coverage percentage.
    public static func band(_ coverage: Double?) -> String {
        guard let coverage else { return "none" }
        return coverage >= goodFrom ? "good" : coverage >= fairFrom ? "fair" : "poor"
    }

    /// Text made safe to put in HTML.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
