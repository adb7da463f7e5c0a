import Foundation
import GRDB
@testable import GridbookCore
import Testing

@Suite("Codes and ids: printable, no outer spaces, at most 64 characters")
struct CodeRuleTests {
    static let tooLong = String(repeating: "码", count: 65)

    @Test("unit add refuses a bad code with a clear message, and writes nothing", arguments: [
        ("G\tX1", "code: holds a control character (U+0009); codes and ids are printable text"),
        ("G\nX1", "code: holds a control character (U+000A); codes and ids are printable text"),
        ("G\u{7F}X1", "code: holds a control character (U+007F); codes and ids are printable text"),
        (" G5", "code: has a space at its start or end"),
        ("G5\u{3000}", "code: has a space at its start or end"),
        ("", "code: is empty"),
        (tooLong, "code: is 65 characters long; codes and ids have at most 64"),
        (String(repeating: "G", count: 65), "code: is 65 characters long; codes and ids have at most 64"),
        ("G5\u{200B}", "code: holds an invisible character (U+200B); codes and ids are printable text"),
    ])
    func unitAdd(code: String, message: String) async throws {
        let database = try await smallCountyDatabase()
        let before = try await tableCounts(database)
        let error = try await #require(throws: GridbookError.self) {
            try await database.addUnit(Unit(code: code, name: "新网格", level: .grid, parentCode: "V2"))
        }
        #expect(error.description == message)
        #expect(try await tableCounts(database) == before)
        #expect(try await database.auditEntries().filter { $0.action == "unit.add" }.isEmpty)
    }

    @Test("a code of 64 characters, Chinese included, is a good one")
    func longestCode() async throws {
        let database = try await smallCountyDatabase()
        let code = String(repeating: "网", count: 64)
        try await database.addUnit(Unit(code: code, name: "新网格", level: .grid, parentCode: "V2"))
        #expect(try await database.unit(code: code).level == .grid)
    }

    @Test("import refuses bad codes and ids in every file that makes them, and writes nothing")
    func importRefuses() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty(appending: "\"G\tX1\",制表网格,grid,V1\nG5,好网格,grid,V1\n", to: "units.csv")
        files["people.csv"]! += "\(Self.tooLong),太长,,\n"
        files["households.csv"]! += "\"H\u{7}9\",G1,,地址,户主,,1,,2025-01-01\n"
        files["categories.csv"]! += "\"a\u{2028}b\",分隔,30\n"
        let problems = try await importProblems(database, files)
        #expect(problems == [
            #"categories.csv:4: code: "a\u{2028}b" holds a control character (U+2028); codes and ids are printable text"#,
            #"units.csv:11: code: "G\u{0009}X1" holds a control character (U+0009); codes and ids are printable text"#,
            "people.csv:4: id: \"\(Self.tooLong)\" is 65 characters long; codes and ids have at most 64",
            #"households.csv:10: code: "H\u{0007}9" holds a control character (U+0007); codes and ids are printable text"#,
        ], "\(problems)")
        #expect(try await tableCounts(database)["units"] == 0)
    }

    @Test("a duty's role is checked against its unit's level on update too")
    func dutyRoleOnUpdate() async throws {
        let database = try await smallCountyDatabase()
        let before = try await database.read { try Row.fetchAll($0, sql: "SELECT * FROM duties ORDER BY person_id").map(\.description) }
        await #expect(throws: DatabaseError.self) {
            try await database.write { try $0.execute(sql: "UPDATE duties SET role = 'county_admin' WHERE person_id = 'P1'") }
        }
        await #expect(throws: DatabaseError.self) {
            try await database.write { try $0.execute(sql: "UPDATE duties SET unit_code = 'V1' WHERE person_id = 'P1'") }
        }
        #expect(try await database.read { try Row.fetchAll($0, sql: "SELECT * FROM duties ORDER BY person_id").map(\.description) } == before)
    }

    @Test("foreign key checks are back on after an import, a failed one too")
    func foreignKeysBackOn() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        #expect(try await importProblems(database, smallCounty(appending: "G9,坏,grid,V404\n", to: "units.csv")).count == 1)
        #expect(try await database.read { try Bool.fetchOne($0, sql: "PRAGMA foreign_keys") } == true)
        #expect(try await importProblems(database, smallCounty) == [])
        #expect(try await database.read { try Bool.fetchOne($0, sql: "PRAGMA foreign_keys") } == true)
    }
}
