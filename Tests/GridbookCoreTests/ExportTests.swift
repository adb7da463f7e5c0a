import Foundation
import GRDB
import Testing
@testable import GridbookCore

/// Every seed table's rows as text, in a fixed order: what an export and an import must keep.
private func seedTables(_ database: AppDatabase) async throws -> [String: [String]] {
    let queries = [
        "units": "SELECT code, name, level, parent_code FROM units ORDER BY code",
        "categories": "SELECT code, label, interval_days FROM categories ORDER BY code",
        "issue_categories": "SELECT code, label, kind FROM issue_categories ORDER BY code",
        "people": "SELECT id, name, phone, id_number FROM people ORDER BY id",
        "duties": "SELECT person_id, role, unit_code, since, until FROM duties ORDER BY person_id, role, unit_code, since",
        "party_groups": "SELECT code, name, leader_id FROM party_groups ORDER BY code",
        "party_group_grids": "SELECT group_code, grid_code FROM party_group_grids ORDER BY 1, 2",
        "party_group_members": "SELECT group_code, person_id FROM party_group_members ORDER BY 1, 2",
        "households": "SELECT code, grid_code, block_code, address, head_name, phone, members, registered_on FROM households ORDER BY code",
        "household_categories": "SELECT household_code, category_code FROM household_categories ORDER BY 1, 2",
        "visits": "SELECT id, household_code, visitor_id, visited_at, method, outcome, note FROM visits ORDER BY id",
    ]
    return try await database.read { db in
        try queries.mapValues { sql in
            try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map { $0.isNull ? "∅" : String.fromDatabaseValue($0) ?? "\($0)" }.joined(separator: "|") }
        }
    }
}

private let countyAdmin = Caller(person: Person(id: "P9", name: "旗长"), roles: [.countyAdmin], scopeUnits: ["C"])

@Suite("Export: the seed files back out")
struct ExportTests {
    /// The small county with a party group, so that every file has rows.
    func county() async throws -> AppDatabase {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty
        files["party_groups.csv"] = "code,name,leader_id,grid_codes,member_ids\nPG1,\"第一, 党小组\",P1,G1;G2,P1;P2\n"
        let seeds = try SeedDirectory(files)
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        return database
    }

    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-export-\(UUID().uuidString)")
    }

    @Test("an unmasked export imported into an empty database gives the same records; into the original, no change",
          arguments: [(ExportFormat.csv, ExportEncoding.utf8), (.csv, .gb18030), (.xlsx, .utf8)])
    func roundTrip(format: ExportFormat, encoding: ExportEncoding) async throws {
        let original = try await county()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let summary = try await original.exportSeeds(to: directory, format: format, encoding: encoding, revealTo: countyAdmin, by: .person("P9"))
        #expect(summary.files.map(\.name).last == (format == .xlsx ? "visits.xlsx" : "visits.csv"))
        #expect(summary.files.map(\.rows) == [17, 0, 3, 9, 2, 2, 1, 8, 7])
        let copy = try AppDatabase.inMemory(clock: .fixed(testNow))
        let imported = try await copy.importSeeds(from: directory, options: ImportOptions(now: testNow))
        #expect(imported.files.first { $0.file.hasPrefix("people.") }?.encoding
            == (format == .xlsx ? "xlsx" : encoding == .utf8 ? "UTF-8" : "GB18030"))
        #expect(try await seedTables(copy) == (try await seedTables(original)))
        let again = try await original.importSeeds(from: directory, options: ImportOptions(now: testNow))
        #expect(!again.changedAnything)
        let audited = try await original.read { db in try String.fetchAll(db, sql: "SELECT action FROM audit_log WHERE action LIKE 'export%'") }
        #expect(audited == ["export.reveal"])
    }

    @Test("UTF-8 files start with a byte-order mark; phone and ID numbers are masked unless revealed")
    func masked() async throws {
        let database = try await county()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await database.exportSeeds(to: directory)
        let people = try Data(contentsOf: directory.appendingPathComponent("people.csv"))
        #expect(Array(people.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: people.dropFirst(3), as: UTF8.self)
            == "id,name,phone,id_number\r\nP1,张伟,138****1234,110101********1233\r\nP2,巴特尔,,\r\n")
        let households = try String(contentsOf: directory.appendingPathComponent("households.csv"), encoding: .utf8)
        #expect(households.contains("H1,G1,,红旗村一组1号,李明,139****1111,3,,2025-01-01\r\n"))
        #expect(households.contains("H2,G1,B1,\"红旗村一组2号, 东屋\",王芳,,1,elderly;hardship,2025-01-01\r\n"))
    }

    @Test("a masked export imported back keeps the stored numbers; a masked number that is not theirs is refused")
    func maskedRoundTrip() async throws {
        let database = try await county()
        let before = try await seedTables(database)
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await database.exportSeeds(to: directory)
        let again = try await database.importSeeds(from: directory, options: ImportOptions(now: testNow))
        #expect(!again.changedAnything)
        #expect(try await seedTables(database) == before)
        let people = directory.appendingPathComponent("people.csv")
        try Data("id,name,phone,id_number\nP1,张伟,138****9999,\n".utf8).write(to: people)
        do {
            _ = try await database.importSeeds(from: directory, options: ImportOptions(now: testNow))
            Issue.record("a wrong masked number was imported")
        } catch let failure as ImportFailure {
            #expect(failure.problems.map(\.description)
                == ["people.csv:2: phone: 138****9999 is masked (a file exported without --reveal) and is not the stored number's mask: type the whole number"])
        }
        #expect(try await seedTables(database) == before)
    }

    @Test("only a county admin may export personal data in full; a refusal writes nothing")
    func revealNeedsAnAdmin() async throws {
        let database = try await county()
        let directory = temporaryDirectory()
        let member = Caller(person: Person(id: "P1", name: "张伟"), roles: [.gridMember], scopeUnits: ["G1"])
        await #expect(throws: GridbookError.notAllowed("only county admins may export personal data unmasked")) {
            try await database.exportSeeds(to: directory, revealTo: member, by: .person("P1"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }

    @Test("one unit's part: the unit, the units above it, what is under it; it imports on its own")
    func oneUnit() async throws {
        let database = try await county()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let summary = try await database.exportSeeds(to: directory, unit: "V1", revealTo: countyAdmin)
        #expect(summary.files.map(\.rows) == [17, 0, 3, 6, 2, 1, 1, 5, 4])
        let units = try String(contentsOf: directory.appendingPathComponent("units.csv"), encoding: .utf8)
        #expect(units == "code,name,level,parent_code\r\nC,测试县,county,\r\nT1,东风镇,township,C\r\nV1,红旗村,village,T1\r\nG1,第一网格,grid,V1\r\nG2,第二网格,grid,V1\r\nB1,一号楼栋,block,G1\r\n")
        let part = try AppDatabase.inMemory(clock: .fixed(testNow))
        _ = try await part.importSeeds(from: directory, options: ImportOptions(now: testNow))
        let tables = try await seedTables(part)
        #expect(tables["households"]?.count == 5 && tables["visits"]?.count == 4)
        #expect(tables["party_group_grids"] == ["PG1|G1", "PG1|G2"])
    }

    @Test("text a spreadsheet would run as a formula is written with an apostrophe before it, which the import drops again",
          arguments: [ExportEncoding.utf8, .gb18030])
    func formulaGuard(encoding: ExportEncoding) async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty
        files["households.csv"] = files["households.csv"]!
            .replacingOccurrences(of: ",李明,", with: ",\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"点击\"\")\",")
            .replacingOccurrences(of: "红旗村一组3号", with: "+86 红旗村一组3号")
        files["visits.csv"] = files["visits.csv"]!.replacingOccurrences(of: ",家中无人", with: ",@张三 -见上次")
        let seeds = try SeedDirectory(files)
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await database.exportSeeds(to: directory, encoding: encoding, revealTo: countyAdmin, by: .person("P9"))
        let households = try Data(contentsOf: directory.appendingPathComponent("households.csv"))
        let text = encoding == .utf8 ? String(decoding: households.dropFirst(3), as: UTF8.self)
            : String(decoding: try TextDecoding.transcode(Array(households), from: "GB18030"), as: UTF8.self)
        #expect(text.contains("H1,G1,,红旗村一组1号,\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"点击\"\")\",13900001111,3,,2025-01-01\r\n"))
        #expect(text.contains("H3,G1,,'+86 红旗村一组3号,赵强,,2,elderly,2025-01-01\r\n"))
        // Numbers and dates are left as they are.
        #expect(text.contains(",2,elderly,2025-01-01"))
        let copy = try AppDatabase.inMemory(clock: .fixed(testNow))
        _ = try await copy.importSeeds(from: directory, options: ImportOptions(now: testNow))
        #expect(try await seedTables(copy) == (try await seedTables(database)))
        let stored = try await copy.read { db in
            try String.fetchAll(db, sql: "SELECT head_name || ' | ' || address FROM households WHERE code IN ('H1', 'H3') ORDER BY code")
                + String.fetchAll(db, sql: "SELECT note FROM visits WHERE note LIKE '@%'")
        }
        #expect(stored == ["=HYPERLINK(\"http://evil.example/\",\"点击\") | 红旗村一组1号", "赵强 | +86 红旗村一组3号", "@张三 -见上次"])
        #expect(!(try await database.importSeeds(from: directory, options: ImportOptions(now: testNow))).changedAnything)
    }

    @Test("stored text that an import would otherwise read differently goes out guarded and comes back the same: a spreadsheet error's text, apostrophes, a tab")
    func guardedRoundTrip() async throws {
        let database = try await county()
        let notes = ["#N/A", "'=x", "''=x", "'x", "\tx", "Err:502", "#3号楼"]
        try await database.write { db in
            for (index, note) in notes.enumerated() {
                try db.execute(sql: "UPDATE visits SET note = ? WHERE id = gridbook_uuid_bytes(?)",
                               arguments: [note, "00000000-0000-4000-8000-00000000000\(index + 1)"])
            }
        }
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await database.exportSeeds(to: directory, revealTo: countyAdmin, by: .person("P9"))
        let copy = try AppDatabase.inMemory(clock: .fixed(testNow))
        _ = try await copy.importSeeds(from: directory, options: ImportOptions(now: testNow))
        #expect(try await seedTables(copy) == (try await seedTables(database)))
        #expect(try await copy.read { db in try String.fetchAll(db, sql: "SELECT note FROM visits ORDER BY id") } == notes)
    }
}
