import Foundation
import Testing
@testable import GridbookCore

@Suite("The coverage map")
struct CoverageMapTests {
    @Test("the tree has every unit down to the grids, with counts that add up")
    func tree() async throws {
        let database = try await smallCountyDatabase()
        let tree = try await database.coverageTree(unitCode: "C", asOf: LocalDate("2026-06-30"))
        #expect(tree.nodes.map { "\(String(repeating: " ", count: $0.depth))\($0.unit.code) \($0.counts.covered)/\($0.counts.households) \($0.counts.overdue)" } == [
            "C 3/7 3",
            " T1 2/5 2",
            "  V1 2/5 2",
            "   G1 2/3 1",
            "   G2 0/2 1",
            " T2 1/2 1",
            "  V2 1/2 1",
            "   G3 1/2 1",
        ])
    }

    @Test("the page holds every unit with its figures, the date and the legend, and nothing external")
    func page() async throws {
        let database = try await smallCountyDatabase()
        let html = try CoverageMap.html(try await database.coverageTree(unitCode: "C", asOf: LocalDate("2026-06-30")))
        // Each unit's row, with its own figures: households, covered, coverage, overdue, never visited.
        let rows = html.components(separatedBy: "<tr class=\"depth").dropFirst().map { "<tr class=\"depth" + $0 }
        func figures(_ whole: String) -> String {
            let row = whole.components(separatedBy: "</tr>")[0]
            let cells = row.components(separatedBy: "<td").dropFirst().map { cell in
                cell.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
                    .replacingOccurrences(of: "^[^>]*>", with: "", options: .regularExpression)
            }
            let name = row.components(separatedBy: "<span class=\"code\">")[1].components(separatedBy: "<")[0]
            return ([name] + cells).joined(separator: " ")
        }
        #expect(rows.map(figures) == [
            "C 7 3 42.9% 3 2", "T1 5 2 40.0% 2 2", "V1 5 2 40.0% 2 2", "G1 3 2 66.7% 1 0", "G2 2 0 0.0% 1 2",
            "T2 2 1 50.0% 1 0", "V2 2 1 50.0% 1 0", "G3 2 1 50.0% 1 0",
        ])
        #expect(html.contains("<strong>2026-06-30</strong>"))
        #expect(html.contains("图例 Legend"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
        #expect(html.components(separatedBy: "<tr class=\"depth").count - 1 == 8)
    }

    @Test("a block's map counts its households")
    func blockTop() async throws {
        let database = try await smallCountyDatabase()
        let tree = try await database.coverageTree(unitCode: "B1", asOf: LocalDate("2026-06-30"))
        #expect(tree.nodes.map { "\($0.unit.code) \($0.counts.covered)/\($0.counts.households)" } == ["B1 1/1"])
        let grid = try await database.coverageTree(unitCode: "G1", asOf: LocalDate("2026-06-30"))
        #expect(grid.nodes.map { "\($0.unit.code) \($0.counts.covered)/\($0.counts.households)" } == ["G1 2/3"])
    }

    @Test("colour bands: 95 and up green, 85 to 95 yellow, below red, none grey")
    func bands() {
        #expect(CoverageMap.band(95) == "good")
        #expect(CoverageMap.band(94.9) == "fair")
        #expect(CoverageMap.band(85) == "fair")
        #expect(CoverageMap.band(84.9) == "poor")
        #expect(CoverageMap.band(nil) == "none")
    }

    @Test("a unit's name is text on the page, never markup (the template escapes every value)")
    func escaping() async throws {
        let database = try await smallCountyDatabase()
        try await database.addUnit(Unit(code: "G9", name: #"<script>alert("x")</script>&"#, level: .grid, parentCode: "V2"))
        let html = try CoverageMap.html(try await database.coverageTree(unitCode: "V2", asOf: LocalDate("2026-06-30")))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"))
    }
}
