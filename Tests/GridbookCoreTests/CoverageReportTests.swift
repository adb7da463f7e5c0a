import Foundation
import Testing
@testable import GridbookCore

@Suite("The coverage report")
struct CoverageReportTests {
    @Test("the county's coverage JSON has a row per township and exact totals")
    func countyJSON() async throws {
        let database = try await smallCountyDatabase()
        let report = try await database.coverageReport(unitCode: "C", asOf: LocalDate("2026-06-30"))
        let json = String(decoding: try JSONOutput.encode(report), as: UTF8.self)
        #expect(json == """
            {
              "as_of" : "2026-06-30",
              "rows" : [
                {
                  "code" : "T1",
                  "coverage" : 40,
                  "covered" : 2,
                  "households" : 5,
                  "level" : "township",
                  "name" : "东风镇",
                  "never_visited" : 2,
                  "overdue" : 2
                },
                {
                  "code" : "T2",
                  "coverage" : 50,
                  "covered" : 1,
                  "households" : 2,
                  "level" : "township",
                  "name" : "巴彦苏木",
                  "never_visited" : 0,
                  "overdue" : 1
                }
              ],
              "total" : {
                "coverage" : 42.9,
                "covered" : 3,
                "households" : 7,
                "never_visited" : 2,
                "overdue" : 3
              },
              "unit" : {
                "code" : "C",
                "level" : "county",
                "name" : "测试县"
              }
            }
            """)
    }

    @Test("a grid's rows are its households")
    func gridRows() async throws {
        let database = try await smallCountyDatabase()
        let report = try await database.coverageReport(unitCode: "G1", asOf: LocalDate("2026-06-30"))
        #expect(report.rows.map { "\($0.code) \($0.name) \($0.level) \($0.counts.covered)/\($0.counts.households) overdue \($0.counts.overdue)" } == [
            "H1 李明 household 1/1 overdue 0",
            "H2 王芳 household 1/1 overdue 0",
            "H3 赵强 household 0/1 overdue 1",
        ])
        #expect(report.total.coverage == 66.7)
    }

    @Test("a village's rows are its grids, including a grid with no households")
    func villageRows() async throws {
        let database = try await smallCountyDatabase()
        let report = try await database.coverageReport(unitCode: "V2", asOf: LocalDate("2026-06-01"))
        #expect(report.rows.count == 1)
        // As of 2026-06-01 H6 is not registered yet and H7's and H8's later visits do not count:
        // H7 was last met 2026-03-01 (due 2026-05-30), H8 never (due 2025-04-01).
        #expect(report.rows[0].counts.households == 2)
        #expect(report.rows[0].counts.covered == 0)
        #expect(report.rows[0].counts.overdue == 2)
        #expect(report.rows[0].counts.neverVisited == 1)
    }

    @Test("a block's rows are its households")
    func blockRows() async throws {
        let database = try await smallCountyDatabase()
        let report = try await database.coverageReport(unitCode: "B1", asOf: LocalDate("2026-06-30"))
        #expect(report.rows.map(\.code) == ["H2"])
    }

    @Test("percentages round half up to one decimal and are null without households")
    func percentages() {
        #expect(CoverageCounts.percentage(3, of: 7) == 42.9)
        #expect(CoverageCounts.percentage(1, of: 8) == 12.5)
        #expect(CoverageCounts.percentage(1, of: 6) == 16.7)
        #expect(CoverageCounts.percentage(0, of: 0) == nil)
        #expect(CoverageCounts.percentage(5, of: 5) == 100)
    }

    @Test("an unknown unit is refused")
    func unknownUnit() async throws {
        let database = try await smallCountyDatabase()
        await #expect(throws: GridbookError.notFound("unit NOPE")) {
            try await database.coverageReport(unitCode: "NOPE", asOf: LocalDate("2026-06-30"))
        }
    }
}
