import Foundation
import GRDB
import Testing
@testable import GridbookCore

@Suite("Seed import: edge cases")
struct ImportEdgeTests {
    @Test("a unit's level cannot change on re-import, and nothing is written")
    func levelChangeRefused() async throws {
        let database = try await smallCountyDatabase()
        let before = try await tableCounts(database)
        var files = smallCounty
        files["units.csv"] = files["units.csv"]!.replacingOccurrences(of: "G2,第二网格,grid,V1", with: "G2,第二网格,village,T1")
        let problems = try await importProblems(database, files)
        #expect(problems == [
            "units.csv:8: level: G2 is a grid; a unit's level cannot change (add a new unit instead)",
        ])
        #expect(try await tableCounts(database) == before)
        #expect(try await database.unit(code: "G2").level == .grid)
    }

    @Test("party groups: grids and members are imported, replaced when changed, and checked")
    func partyGroups() async throws {
        let database = try await smallCountyDatabase()
        let seeds = try SeedDirectory(["party_groups.csv": "code,name,leader_id,grid_codes,member_ids\nPG1,红旗村党小组,P1,G1;G2,P2\n"])
        let first = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(first.files.map { "\($0.file) \($0.added)" } == ["party_groups.csv 1"])
        try seeds.write("party_groups.csv", Data("code,name,leader_id,grid_codes,member_ids\nPG1,红旗村党小组,P1, G2 ,\n".utf8))
        let second = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(second.files.map { "\($0.file) \($0.updated)" } == ["party_groups.csv 1"])
        let (grids, members) = try await database.read { db in
            (try String.fetchAll(db, sql: "SELECT grid_code FROM party_group_grids WHERE group_code = 'PG1'"),
             try String.fetchAll(db, sql: "SELECT person_id FROM party_group_members WHERE group_code = 'PG1'"))
        }
        #expect(grids == ["G2"])
        #expect(members == [])
        let bad = try await importProblems(database, ["party_groups.csv": "code,name,leader_id,grid_codes,member_ids\nPG2,x,P9,G9;V1,P1\n"])
        #expect(bad == [
            "party_groups.csv:2: leader_id: unknown person P9",
            "party_groups.csv:2: grid_codes: unknown grid G9",
            "party_groups.csv:2: grid_codes: V1 is a village, not a grid",
        ])
    }

    @Test("issue categories extend the built-in list")
    func issueCategories() async throws {
        let database = try await smallCountyDatabase()
        let problems = try await importProblems(database, ["issue_categories.csv": "code,label,kind\ngrassland,草场纠纷,dispute\nflood,汛期隐患,weather\n"])
        #expect(problems == ["issue_categories.csv:3: kind: weather is not one of dispute|hazard"])
        #expect(try await importProblems(database, ["issue_categories.csv": "code,label,kind\ngrassland,草场纠纷,dispute\n"]) == [])
        #expect(try await database.read { try IssueCategory.fetchCount($0) } == 18)
    }

    @Test("a UTF-8 file with one stray byte is refused at its line, not read as GB18030")
    func strayByteInUTF8() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory([:])
        try seeds.write("units.csv", Data("code,name,level,parent_code\nC,测试县,county,\nT1,Caf".utf8 + [0xE9] + ",township,C\n".utf8))
        let failure = try await #require(throws: ImportFailure.self) {
            try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        }
        #expect(failure.problems.map(\.description) == [
            "units.csv:3: name: byte 0xE9 (character 7 of the line) is not valid UTF-8 text, though the rest is UTF-8: "
                + "3 Chinese characters in UTF-8 against 1 damaged place (tried UTF-8, GB18030); correct that byte, or save the file again as UTF-8",
        ])
    }

    @Test("GB18030's byte-order mark, and a header with spaces and capitals, are read")
    func gbBOMAndHeader() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory([:])
        let text = " Code , NAME ,level,Parent_Code\nC,测试县,county,\n"
        try seeds.write("units.csv", Data([0x84, 0x31, 0x95, 0x33] + (try TextDecoding.transcode(Array(text.utf8), from: "UTF-8", to: "GB18030"))))
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(try await database.unit(code: "C").name == "测试县")
    }

    @Test("UTF-16 with a byte-order mark (Excel's Unicode text) is read")
    func utf16() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory([:])
        let text = "code,name,level,parent_code\r\nC,测试县,county,\r\n"
        try seeds.write("units.csv", Data([0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
        let summary = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(summary.files.map(\.encoding) == ["UTF-16LE"])
        #expect(try await database.unit(code: "C").name == "测试县")
    }

    @Test("rows of empty fields below the data are skipped; no-break and full-width spaces are trimmed")
    func spreadsheetLeftovers() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let files = ["units.csv": "code,name,level,parent_code\n\u{3000}C\u{A0},测试县,county,\n,,,\n , , , \n"]
        #expect(try await importProblems(database, files) == [])
        #expect(try await database.unit(code: "C").name == "测试县")
    }

    @Test("a visit id three times names the first line each time")
    func duplicateIdThreeTimes() async throws {
        let row = "00000000-0000-4000-8000-000000000001,H1,P1,2026-06-01T10:00:00+08:00,door,met,\n"
        let problems = try await importProblems(try AppDatabase.inMemory(clock: .fixed(testNow)), smallCounty(appending: row + row, to: "visits.csv"))
        #expect(problems == [
            "visits.csv:9: id: 00000000-0000-4000-8000-000000000001 appears twice in the file (first on line 2)",
            "visits.csv:10: id: 00000000-0000-4000-8000-000000000001 appears twice in the file (first on line 2)",
        ])
    }

    @Test("an id twice in visits.csv is reported beside the problems of the files before it, up to the limit")
    func duplicateIdAfterOtherFiles() async throws {
        let row = "00000000-0000-4000-8000-000000000001,H1,P1,2026-06-01T10:00:00+08:00,door,met,\n"
        var files = smallCounty(appending: row + row, to: "visits.csv")
        files["households.csv"]! += "H9,G404,,地址,姓名,,1,,2026-01-02\n"
        #expect(try await importProblems(try AppDatabase.inMemory(clock: .fixed(testNow)), files) == [
            "households.csv:10: grid_code: unknown grid G404",
            "visits.csv:9: id: 00000000-0000-4000-8000-000000000001 appears twice in the file (first on line 2)",
            "visits.csv:10: id: 00000000-0000-4000-8000-000000000001 appears twice in the file (first on line 2)",
        ])
        let seeds = try SeedDirectory(files)
        let failure = try await #require(throws: ImportFailure.self) {
            try await AppDatabase.inMemory(clock: .fixed(testNow)).importSeeds(from: seeds.url, options: ImportOptions(maxProblems: 2, now: testNow))
        }
        #expect(failure.problems.map(\.description) == [
            "households.csv:10: grid_code: unknown grid G404",
            "visits.csv:9: id: 00000000-0000-4000-8000-000000000001 appears twice in the file (first on line 2)",
        ])
        #expect(failure.truncated)
    }

    @Test("a visit's household code with no-break spaces around it is the household's")
    func visitHouseholdWithSpaces() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let files = smallCounty(appending: "00000000-0000-4000-8000-0000000000aa,\u{A0}H4\u{3000},P1,2026-07-01T10:00:00+08:00,door,met,\n", to: "visits.csv")
        #expect(try await importProblems(database, files) == [])
        #expect(try await database.read { try String.fetchOne($0, sql: "SELECT household_code FROM visits WHERE id = gridbook_uuid_bytes('00000000-0000-4000-8000-0000000000aa')") } == "H4")
    }

    @Test("a code table keeps ten thousand codes and their values through its growth")
    func codeTable() {
        var table = CodeTable()
        for index in 0..<10_000 { table.set("150599001001001-\(index)", Int32(index)) }
        table.set("150599001001001-7", -7)
        #expect(table.count == 10_000)
        #expect((0..<10_000).allSatisfy { table.value(of: "150599001001001-\($0)") == ($0 == 7 ? -7 : Int32($0)) })
        #expect(table.value(of: "150599001001001-10000") == nil && !table.contains("") && !table.contains("150599001001001-"))
        let bytes = Array("150599001001001-42".utf8)
        #expect(bytes.withUnsafeBufferPointer { table.value(of: $0) } == 42)
    }

    @Test("a registration in the future and a visit before 1970 are refused")
    func impossibleDates() async throws {
        var files = smallCounty(appending: "H9,G1,,地址,姓名,,1,,2027-01-01\n", to: "households.csv")
        files["visits.csv"]! += "00000000-0000-4000-8000-000000000009,H1,P1,0001-01-01T00:00:00+14:00,door,met,\n"
        let problems = try await importProblems(try AppDatabase.inMemory(clock: .fixed(testNow)), files)
        #expect(problems == [
            "households.csv:10: registered_on: 2027-01-01 is in the future",
            "visits.csv:9: visited_at: 0001-01-01T00:00:00+14:00 is before 1970",
        ])
    }

    @Test("a failed re-import of visits leaves the stored visits as they were")
    func failedVisitReimport() async throws {
        let database = try await smallCountyDatabase()
        let before = try await database.read { try Visit.order(Column("id")).fetchAll($0) }
        var files = smallCounty
        files["visits.csv"] = files["visits.csv"]!.replacingOccurrences(of: "H1,P1,2026-06-01T10:00:00+08:00,door,met", with: "H1,P1,2026-06-01T10:00:00+08:00,door,absent")
            + "00000000-0000-4000-8000-000000000099,H99,P1,2026-06-01T10:00:00+08:00,door,met,\n"
        #expect(try await importProblems(database, files) == ["visits.csv:9: household_code: unknown household H99"])
        #expect(try await database.read { try Visit.order(Column("id")).fetchAll($0) } == before)
        #expect(try await database.read { try Household.fetchOne($0, key: "H1")?.lastMetOn } == LocalDate("2026-06-01"))
    }

    @Test("a misnamed file is refused, and so is a directory without seed files")
    func fileNames() async throws {
        var files = smallCounty
        files["Units.CSV"] = files.removeValue(forKey: "units.csv")
        let problems = try await importProblems(try AppDatabase.inMemory(clock: .fixed(testNow)), files)
        #expect(problems.first == "Units.CSV:1: -: not a seed file (expected issue_categories.csv, holidays.csv, categories.csv, units.csv, people.csv, duties.csv, party_groups.csv, households.csv, visits.csv (or .txt or .xlsx)); rename or remove it")
        let empty = try SeedDirectory(["notes.txt": "hello"])
        let failure = try await #require(throws: ImportFailure.self) {
            try await AppDatabase.inMemory(clock: .fixed(testNow)).importSeeds(from: empty.url, options: ImportOptions(now: testNow))
        }
        #expect(failure.problems.map(\.problem) == ["no seed files here (expected issue_categories.csv, holidays.csv, categories.csv, units.csv, people.csv, duties.csv, party_groups.csv, households.csv, visits.csv (or .txt or .xlsx))"])
    }

    @Test("problems come in file order, then line order")
    func problemOrder() async throws {
        let units = "code,name,level,parent_code\nC,测试县,county,\nV1,村,village,T9\nT1,,township,C\n"
        #expect(try await importProblems(try AppDatabase.inMemory(clock: .fixed(testNow)), ["units.csv": units]) == [
            "units.csv:3: parent_code: unknown parent T9",
            "units.csv:4: name: is empty",
        ])
    }
}
