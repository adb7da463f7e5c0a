import Foundation
import GRDB
@testable import GridbookCore
import Testing

/// The small county with a party group and an ended duty.
private let countyWithGroups: [String: String] = {
    var files = smallCounty
    files["duties.csv"] = files["duties.csv"]!.replacingOccurrences(of: "P2,grid_member,G3,2025-01-01,", with: "P2,grid_member,G3,2025-01-01,2026-11-01")
    files["party_groups.csv"] = """
        code,name,leader_id,grid_codes,member_ids
        PG1,红旗村党小组,P1,G1;G2,P1;P2
        PG2,联合党小组,P2,G2;G3,P2

        """
    return files
}()

private func tableRows(_ database: AppDatabase, _ sql: String) async throws -> [String] {
    try await database.read { db in try Row.fetchAll(db, sql: sql).map(\.description) }
}

@Suite("Importing files of corrections and files made elsewhere")
struct ImportCorrectionTests {
    @Test("a file with only some optional columns changes those and keeps the stored values of the others")
    func absentColumnsAreKept() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let county = try SeedDirectory(countyWithGroups)
        _ = try await database.importSeeds(from: county.url, options: ImportOptions(now: testNow))
        let corrections = try SeedDirectory([
            // H1's address corrected; H2 as it is; H10 new. No block, head, phone, members or tags columns.
            "households.csv": """
                code,grid_code,registered_on,address
                H1,G1,2025-01-01,红旗村一组1号院
                H2,G1,2025-01-01,"红旗村一组2号, 东屋"
                H10,G2,2026-01-01,红旗村二组9号

                """,
            "people.csv": "id,name\nP1,张伟\nP2,巴特尔\n",
            // No until column: P2's duty stays ended.
            "duties.csv": "person_id,role,unit_code,since\nP2,grid_member,G3,2025-01-01\n",
            // No leader or members columns.
            "party_groups.csv": "code,name,grid_codes\nPG1,红旗村党小组,G1;G2\n",
        ])
        let summary = try await database.importSeeds(from: corrections.url, options: ImportOptions(now: testNow))
        #expect(summary.files.map { "\($0.file) \($0.rows) \($0.added) \($0.updated)" } == [
            "people.csv 2 0 0", "duties.csv 1 0 0", "party_groups.csv 1 0 0", "households.csv 3 1 1",
        ])
        #expect(try await tableRows(database, """
            SELECT code, block_code, address, head_name, phone, members, registered_on FROM households WHERE code IN ('H1', 'H2', 'H10') ORDER BY code
            """) == [
            #"[code:"H1" block_code:NULL address:"红旗村一组1号院" head_name:"李明" phone:"13900001111" members:3 registered_on:"2025-01-01"]"#,
            #"[code:"H10" block_code:NULL address:"红旗村二组9号" head_name:"" phone:NULL members:1 registered_on:"2026-01-01"]"#,
            #"[code:"H2" block_code:"B1" address:"红旗村一组2号, 东屋" head_name:"王芳" phone:NULL members:1 registered_on:"2025-01-01"]"#,
        ])
        #expect(try await tableRows(database, "SELECT household_code, category_code FROM household_categories ORDER BY 1, 2") == [
            #"[household_code:"H2" category_code:"elderly"]"#, #"[household_code:"H2" category_code:"hardship"]"#,
            #"[household_code:"H3" category_code:"elderly"]"#,
        ])
        #expect(try await tableRows(database, "SELECT id, phone, id_number FROM people ORDER BY id") == [
            #"[id:"P1" phone:"13812341234" id_number:"110101199003071233"]"#, #"[id:"P2" phone:NULL id_number:NULL]"#,
        ])
        #expect(try await tableRows(database, "SELECT person_id, until FROM duties WHERE person_id = 'P2'") == [#"[person_id:"P2" until:"2026-11-01"]"#])
        #expect(try await tableRows(database, "SELECT code, leader_id FROM party_groups ORDER BY code") == [
            #"[code:"PG1" leader_id:"P1"]"#, #"[code:"PG2" leader_id:"P2"]"#,
        ])
        #expect(try await tableRows(database, "SELECT group_code, person_id FROM party_group_members ORDER BY 1, 2") == [
            #"[group_code:"PG1" person_id:"P1"]"#, #"[group_code:"PG1" person_id:"P2"]"#, #"[group_code:"PG2" person_id:"P2"]"#,
        ])
    }

    @Test("the same visit log read in another encoding is read again, and then known")
    func encodingIsPartOfTheFingerprint() async throws {
        var files = smallCounty
        // Notes in ASCII: the file reads the same in UTF-8 and GB18030.
        files["visits.csv"] = files["visits.csv"]!.replacingOccurrences(of: "\"老人身体好,精神好\"", with: "ok")
            .replacingOccurrences(of: "家中无人", with: "away")
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let county = try SeedDirectory(files)
        _ = try await database.importSeeds(from: county.url, options: ImportOptions(now: testNow))
        let visitsOnly = try SeedDirectory(["visits.csv": files["visits.csv"]!])
        let auto = try await database.importSeeds(from: visitsOnly.url, options: ImportOptions(now: testNow))
        #expect(auto.files.map { "\($0.file) \($0.encoding) \($0.skipped)" } == ["visits.csv UTF-8 true"])
        let chosen = try await database.importSeeds(from: visitsOnly.url, options: ImportOptions(encoding: .gb18030, now: testNow))
        #expect(chosen.files.map { "\($0.file) \($0.encoding) \($0.skipped) \($0.rows) \($0.unchanged)" } == ["visits.csv GB18030 false 7 7"])
        let again = try await database.importSeeds(from: visitsOnly.url, options: ImportOptions(encoding: .gb18030, now: testNow))
        #expect(again.files.map { "\($0.file) \($0.skipped)" } == ["visits.csv true"])
    }

    @Test("a visit changed through a workbook is changed back by the visit log it came from")
    func workbookVisitsAreFingerprinted() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let county = try SeedDirectory(smallCounty)
        _ = try await database.importSeeds(from: county.url, options: ImportOptions(now: testNow))
        let workbook = try SeedDirectory([:])
        let sheet = try XLSXWriter(destination: workbook.url.appendingPathComponent("visits.xlsx"))
        try sheet.append(["id", "household_code", "visitor_id", "visited_at", "method", "outcome", "note"])
        try sheet.append(["00000000-0000-4000-8000-000000000004", "H5", "P1", "2026-06-20T10:00:00+08:00", "door", "met", "家中无人"])
        try sheet.finish()
        let changed = try await database.importSeeds(from: workbook.url, options: ImportOptions(now: testNow))
        #expect(changed.files.map { "\($0.file) \($0.updated)" } == ["visits.xlsx 1"])
        let back = try await database.importSeeds(from: county.url, options: ImportOptions(now: testNow))
        #expect(back.files.first { $0.file == "visits.csv" }.map { "\($0.skipped) \($0.updated)" } == "false 1")
        #expect(try await tableRows(database, "SELECT outcome FROM visits WHERE id = gridbook_uuid_bytes('00000000-0000-4000-8000-000000000004')") == [#"[outcome:"absent"]"#])
        // The workbook again, unchanged since it was read: read, since the visit log came between.
        let workbookAgain = try await database.importSeeds(from: workbook.url, options: ImportOptions(now: testNow))
        #expect(workbookAgain.files.map { "\($0.file) \($0.skipped) \($0.updated)" } == ["visits.xlsx false 1"])
    }

    @Test("a unit's export leaves out the party groups that pair grids outside it, and imported back changes nothing")
    func unitExportKeepsPartyGroupsWhole() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let county = try SeedDirectory(countyWithGroups)
        _ = try await database.importSeeds(from: county.url, options: ImportOptions(now: testNow))
        let out = try SeedDirectory([:])
        let summary = try await database.exportSeeds(to: out.url, unit: "V1")
        #expect(summary.groupsLeftOut == ["PG2"])
        let groups = String(decoding: try Data(contentsOf: out.url.appendingPathComponent("party_groups.csv")), as: UTF8.self)
        #expect(groups == "\u{FEFF}code,name,leader_id,grid_codes,member_ids\r\nPG1,红旗村党小组,P1,G1;G2,P1;P2\r\n")
        let before = try await tableRows(database, "SELECT * FROM party_group_grids ORDER BY 1, 2")
        let back = try await database.importSeeds(from: out.url, options: ImportOptions(now: testNow))
        #expect(!back.changedAnything)
        #expect(try await tableRows(database, "SELECT * FROM party_group_grids ORDER BY 1, 2") == before)
        #expect(before.count == 4)
    }
}
