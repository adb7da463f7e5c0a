import Foundation
import GRDB
import Testing
@testable import GridbookCore

@Suite("Adding and moving units")
struct UnitEditTests {
    @Test("a grid moved to another village takes its households and visits, and reports follow at once")
    func moveGrid() async throws {
        let database = try await smallCountyDatabase()
        let asOf = LocalDate("2026-06-30")
        _ = try await database.moveUnit(code: "G2", to: "V2")
        let county = try await database.coverageReport(unitCode: "C", asOf: asOf)
        #expect(county.rows.map { "\($0.code) \($0.counts.covered)/\($0.counts.households)" } == ["T1 2/3", "T2 1/4"])
        #expect(county.total.households == 7)
        #expect(try await database.coverageReport(unitCode: "V2", asOf: asOf).rows.map(\.code) == ["G2", "G3"])
        #expect(try await database.visits(under: "T2").items.map(\.householdCode) == ["H7", "H5", "H8", "H7"])
        #expect(try await database.unitDetail(code: "G2").parents.map(\.code) == ["V2", "T2", "C"])
    }

    @Test("a block moved to another grid takes its households, and their risks, to that grid")
    func moveBlock() async throws {
        let database = try await smallCountyDatabase()
        let risk = try await database.addRisk(NewRisk(householdCode: "H2", category: "safety", level: .yellow, title: "楼道堆物", source: .patrol),
                                        by: .person("P1"))
        _ = try await database.moveUnit(code: "B1", to: "G2")
        #expect(try await database.risk(id: risk.id).risk.unitCode == "G2")
        #expect(try await database.risks(RiskFilter(unitCode: "G1")).items == [])
        #expect(try await database.read { try Household.fetchOne($0, key: "H2") }?.gridCode == "G2")
        #expect(try await database.coverageReport(unitCode: "G2", asOf: LocalDate("2026-06-30")).rows.map(\.code) == ["H2", "H4", "H5"])
    }

    @Test("moves to the wrong level, into the unit itself, or of the county are refused and change nothing", arguments: [
        ("G1", "T2", GridbookError.invalid(field: "parent", problem: "T2 is a township; a grid's parent must be a village")),
        ("V1", "V1", GridbookError.invalid(field: "to", problem: "V1 is V1 itself or under it")),
        ("T1", "G1", GridbookError.invalid(field: "to", problem: "G1 is T1 itself or under it")),
        ("C", "T1", GridbookError.invalid(field: "code", problem: "the county cannot move")),
        ("G1", "V9", GridbookError.notFound("unit V9")),
        ("G9", "V1", GridbookError.notFound("unit G9")),
    ])
    func refusedMoves(_ code: String, _ parent: String, _ expected: GridbookError) async throws {
        let database = try await smallCountyDatabase()
        let before = try await database.units()
        await #expect(throws: expected) { try await database.moveUnit(code: code, to: parent) }
        #expect(try await database.units() == before)
    }

    @Test("units are added under a parent one level up, once")
    func add() async throws {
        let database = try await smallCountyDatabase()
        try await database.addUnit(Unit(code: "G4", name: "第四网格", level: .grid, parentCode: "V2"))
        #expect(try await database.unitDetail(code: "V2").children.map(\.code) == ["G3", "G4"])
        await #expect(throws: GridbookError.conflict("unit G4 already exists")) {
            try await database.addUnit(Unit(code: "G4", name: "again", level: .grid, parentCode: "V2"))
        }
        await #expect(throws: GridbookError.invalid(field: "parent", problem: "T1 is a township; a block's parent must be a grid")) {
            try await database.addUnit(Unit(code: "B9", name: "楼栋", level: .block, parentCode: "T1"))
        }
        await #expect(throws: GridbookError.conflict("the database already has a county (C); one county per database")) {
            try await database.addUnit(Unit(code: "C2", name: "另一县", level: .county, parentCode: nil))
        }
        #expect(try await database.units().count == 10)
    }

    @Test("a unit in JSON has every key, the county's parent as null")
    func unitJSON() async throws {
        let json = String(decoding: try JSONOutput.encode(Page(items: [Unit(code: "C", name: "测试县", level: .county, parentCode: nil)])), as: UTF8.self)
        #expect(json == """
            {
              "items" : [
                {
                  "code" : "C",
                  "level" : "county",
                  "name" : "测试县",
                  "parent_code" : null
                }
              ],
              "next" : null
            }
            """)
    }

    @Test("a unit's detail lists its parents up to the county and its children")
    func detailJSON() async throws {
        let database = try await smallCountyDatabase()
        let json = await String(decoding: try JSONOutput.encode(try database.unitDetail(code: "V1")), as: UTF8.self)
        #expect(json == """
            {
              "children" : [
                {
                  "code" : "G1",
                  "level" : "grid",
                  "name" : "第一网格"
                },
                {
                  "code" : "G2",
                  "level" : "grid",
                  "name" : "第二网格"
                }
              ],
              "code" : "V1",
              "level" : "village",
              "name" : "红旗村",
              "parent_code" : "T1",
              "parents" : [
                {
                  "code" : "T1",
                  "level" : "township",
                  "name" : "东风镇"
                },
                {
                  "code" : "C",
                  "level" : "county",
                  "name" : "测试县"
                }
              ]
            }
            """)
    }
}
