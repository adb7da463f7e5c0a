import Foundation
import Testing
@testable import GridbookCore

@Suite("The coverage map")
struct CoverageMapTests {
    @Test("the tree has every unit down to the grids, with counts that add up")
    func tree() throws {
        let database = try smallCountyDatabase()
        let tree = try database.coverageTree(unitCode: "C", asOf: LocalDate("2026-06-30"))
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
    func page() throws {
        let database = try smallCountyDatabase()
        let html = CoverageMap.html(try database.coverageTree(unitCode: "C", asOf: LocalDate("2026-06-30")))
        for (name, code, coverage) in [("测试县", "C", "42.9%"), ("东风镇", "T1", "40.0%"), ("巴彦苏木", "T2", "50.0%"),
                                       ("红旗村", "V1", "40.0%"), ("第一网格", "G1", "66.7%"), ("第二网格", "G2", "0.0%"),
                                       ("乌兰嘎查", "V2", "50.0%"), ("第一网格", "G3", "50.0%")] {
            #expect(html.contains(">\(name)<span class=\"code\">\(code)</span>"))
            #expect(html.contains("<span class=\"pct\">\(coverage)</span>"))
        }
        #expect(html.contains("<strong>2026-06-30</strong>"))
        #expect(html.contains("图例 Legend"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
        #expect(html.components(separatedBy: "<tr class=\"depth").count - 1 == 8)
    }

    @Test("colour bands: 95 and up green, 85 to 95 yellow, below red, none grey")
    func bands() {
        #expect(CoverageMap.band(95) == "good")
        #expect(CoverageMap.band(94.9) == "fair")
        #expect(CoverageMap.band(85) == "fair")
        #expect(CoverageMap.band(84.9) == "poor")
        #expect(CoverageMap.band(nil) == "none")
    }

    @Test("names are escaped")
    func escaping() {
        #expect(CoverageMap.escape("<b>&\"") == "&lt;b&gt;&amp;&quot;")
    }
}
