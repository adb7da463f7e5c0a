import Foundation
import GRDB
import Testing
@testable import GridbookCore

@Suite("Seed import: bad rows are reported and nothing is written")
struct ImportRefusalTests {
    /// Imports `files` into a new database, expecting exactly `problems` and an empty database after.
    func expectRefused(_ files: [String: String], _ problems: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let empty = try await tableCounts(database)
        let found = try await importProblems(database, files)
        #expect(found == problems, sourceLocation: sourceLocation)
        #expect(try await tableCounts(database) == empty, sourceLocation: sourceLocation)
    }

    @Test("an unknown parent")
    func unknownParent() async throws {
        try await expectRefused(smallCounty(appending: "V9,新村,village,T9\n", to: "units.csv"),
                          ["units.csv:11: parent_code: unknown parent T9"])
    }

    @Test("a parent at the wrong level")
    func wrongLevel() async throws {
        try await expectRefused(smallCounty(appending: "G9,第九网格,grid,T1\n", to: "units.csv"),
                          ["units.csv:11: parent_code: T1 is a township; a grid's parent must be a village"])
    }

    @Test("a second county")
    func secondCounty() async throws {
        try await expectRefused(smallCounty(appending: "C2,另一县,county,\n", to: "units.csv"), [
            "units.csv:2: code: one county per database (found C, C2)",
            "units.csv:11: code: one county per database (found C, C2)",
        ])
    }

    @Test("a date that does not exist")
    func badDate() async throws {
        try await expectRefused(smallCounty(appending: "H9,G1,,地址,姓名,,1,,2026-02-30\n", to: "households.csv"),
                          ["households.csv:10: registered_on: 2026-02-30 is not a date (YYYY-MM-DD, 2026/5/4 or 2026年5月4日)"])
    }

    @Test("an unknown category")
    func unknownCategory() async throws {
        try await expectRefused(smallCounty(appending: "H9,G1,,地址,姓名,,1,elderly;nosuch,2026-01-02\n", to: "households.csv"),
                          ["households.csv:10: tags: unknown category nosuch"])
    }

    @Test("a code twice in one file")
    func duplicateCode() async throws {
        try await expectRefused(smallCounty(appending: "H1,G2,,地址,姓名,,1,,2026-01-02\n", to: "households.csv"),
                          ["households.csv:10: code: H1 appears twice in the file (first on line 2)"])
    }

    @Test("a row with the wrong number of columns")
    func wrongColumnCount() async throws {
        try await expectRefused(smallCounty(appending: "H9,G1,,地址,姓名,1,,2026-01-02\n", to: "households.csv"),
                          ["households.csv:10: -: expected 9 columns, found 8"])
    }

    @Test("a NUL byte in a seed file's row, in a household's address and in a visit's note")
    func nulByte() async throws {
        var files = smallCounty(appending: "H9,G1,,地址\u{0}二号,姓名,,1,,2026-01-02\n", to: "households.csv")
        files["visits.csv"]! += "00000000-0000-4000-8000-000000000009,H1,P1,2026-06-02T10:00:00+08:00,door,met,\u{0}\n"
        let nul = "holds a NUL byte (0x00), which is not text (a UTF-16 file saved without its byte-order mark, or not a text file?)"
        try await expectRefused(files, ["households.csv:10: -: \(nul)", "visits.csv:9: -: \(nul)"])
    }

    @Test("a role attached to the wrong level")
    func roleAtWrongLevel() async throws {
        try await expectRefused(smallCounty(appending: "P1,grid_member,V1,2025-01-01,\nP2,county_admin,T1,2025-01-01,\n", to: "duties.csv"), [
            "duties.csv:4: unit_code: V1 is a village; a grid_member attaches to a grid",
            "duties.csv:5: unit_code: T1 is a township; a county_admin attaches to a county",
        ])
    }

    @Test("a visit to an unknown household")
    func visitToUnknownHousehold() async throws {
        try await expectRefused(smallCounty(appending: "00000000-0000-4000-8000-000000000099,H99,P1,2026-06-01T10:00:00+08:00,door,met,\n",
                                      to: "visits.csv"),
                          ["visits.csv:9: household_code: unknown household H99"])
    }

    @Test("a block of another grid, and bad visit fields")
    func otherBadRows() async throws {
        var files = smallCounty(appending: "H9,G2,B1,地址,姓名,,1,,2026-01-02\n", to: "households.csv")
        files["visits.csv"]! += """
            not-a-uuid,H1,P1,2026-06-01T10:00:00+08:00,door,met,
            00000000-0000-4000-8000-000000000001,H1,P1,2026-06-01T10:00:00+08:00,door,met,
            00000000-0000-4000-8000-000000000010,H1,P9,2026-06-01 10:00,walk,seen,
            00000000-0000-4000-8000-000000000011,H1,P1,2027-01-01T10:00:00+08:00,door,met,

            """
        try await expectRefused(files, [
            "households.csv:10: block_code: block B1 is not in grid G2 (it is in G1)",
            "visits.csv:9: id: not-a-uuid is not a UUID",
            "visits.csv:10: id: 00000000-0000-4000-8000-000000000001 appears twice in the file (first on line 2)",
            "visits.csv:11: visitor_id: unknown person P9",
            "visits.csv:11: visited_at: 2026-06-01 10:00 is not an ISO 8601 time with offset (2026-03-02T09:15:00+08:00)",
            "visits.csv:11: method: walk is not one of door|phone|video|other",
            "visits.csv:11: outcome: seen is not one of met|absent|refused",
            "visits.csv:12: visited_at: 2027-01-01T10:00:00+08:00 is in the future",
        ])
    }

    @Test("a missing column, an unknown column and an unclosed quote")
    func malformedFiles() async throws {
        try await expectRefused(["categories.csv": "code,label\nelderly,独居老人\n"], ["categories.csv:1: interval_days: missing column"])
        try await expectRefused(["people.csv": "id,name,phone,id_number,nickname\nP1,张伟,,,伟哥\n"],
                          ["people.csv:1: nickname: unknown column (expected id,name,phone,id_number)"])
        try await expectRefused(smallCounty(appending: "X1,\"未闭合,village,T1\n", to: "units.csv"),
                          ["units.csv:11: -: a quoted field is not closed (missing \")"])
        try await expectRefused(["units.csv": ""], ["units.csv:1: -: the file is empty; a header row is expected"])
    }

    @Test("a bad ID number check digit and a bad phone")
    func personalData() async throws {
        try await expectRefused(smallCounty(appending: "P3,王五,call me,110101199003071234\n", to: "people.csv"), [
            "people.csv:4: phone: not a phone number (digits, +, - and spaces only)",
            "people.csv:4: id_number: the ID number's check digit is wrong",
        ])
    }

    @Test("problems stop at 50, and the failure says so")
    func problemLimit() async throws {
        let rows = (1...80).map { "H\($0 + 100),G1,,地址,姓名,,1,,2026-02-30\n" }.joined()
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory(smallCounty(appending: rows, to: "households.csv"))
        let failure = try await #require(throws: ImportFailure.self) {
            try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        }
        #expect(failure.problems.count == 50)
        #expect(failure.truncated)
        #expect(failure.description.hasSuffix("(stopped after 50 problems)\nimport failed: nothing was written"))
        #expect(try await tableCounts(database)["households"] == 0)
    }

    @Test("a failed import into a database with data leaves the data as it was")
    func failedReimportKeepsData() async throws {
        let database = try await smallCountyDatabase()
        let before = try await tableCounts(database)
        var files = smallCounty(replacing: "households.csv", with: "H1,G2,,新地址,李明,,3,,2025-01-01\nH2,G1,,地址,王芳,,1,,2026-02-30\n")
        files["units.csv"]! += "G4,第四网格,grid,V1\n"
        #expect(try await importProblems(database, files) == ["households.csv:3: registered_on: 2026-02-30 is not a date (YYYY-MM-DD, 2026/5/4 or 2026年5月4日)"])
        #expect(try await tableCounts(database) == before)
        #expect(try await database.read { try Household.fetchOne($0, key: "H1")?.gridCode } == "G1")
    }
}

@Suite("Seed import: encodings, line ends and re-import")
struct ImportTests {
    @Test("the small county imports with the expected counts")
    func counts() async throws {
        let database = try await smallCountyDatabase()
        let counts = try await tableCounts(database)
        #expect(counts == [
            "units": 9, "categories": 3, "issue_categories": 17, "people": 2, "duties": 2, "party_groups": 0,
            "party_group_grids": 0, "party_group_members": 0, "households": 8, "household_categories": 3, "visits": 7,
            "households with last_met_on": 5,
        ])
        let note = try await database.read { try Visit.filter(Column("id") == UUIDKey("00000000-0000-4000-8000-000000000002")).fetchOne($0)?.note }
        #expect(note == "老人身体好,精神好")
    }

    @Test("importing the same files again changes nothing")
    func idempotent() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory(smallCounty)
        let first = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(first.changedAnything)
        let counts = try await tableCounts(database)
        let second = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(!second.changedAnything)
        // The visit log, the same file as last time, is not read again.
        #expect(second.files.map { "\($0.file) \($0.rows) \($0.unchanged)\($0.skipped ? " skipped" : "")" } == [
            "categories.csv 2 2", "units.csv 9 9", "people.csv 2 2", "duties.csv 2 2", "households.csv 8 8", "visits.csv 0 0 skipped",
        ])
        #expect(try await tableCounts(database) == counts)
    }

    @Test("a changed row updates its record and nothing else")
    func changedRowUpdates() async throws {
        let database = try await smallCountyDatabase()
        var files = smallCounty
        files["households.csv"] = files["households.csv"]!.replacingOccurrences(of: "H3,G1,,红旗村一组3号,赵强,,2,elderly,", with: "H3,G1,,红旗村一组3号,赵强,,2,,")
        files["visits.csv"] = files["visits.csv"]!.replacingOccurrences(of: "2026-06-01T10:00:00+08:00,door,met", with: "2026-06-01T10:00:00+08:00,door,absent")
        let seeds = try SeedDirectory(files)
        let summary = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(summary.files.filter { $0.updated > 0 }.map { "\($0.file) \($0.updated)" } == ["households.csv 1", "visits.csv 1"])
        #expect(summary.files.allSatisfy { $0.added == 0 })
        let (h1, h3Interval) = try await database.read { db in
            (try Household.fetchOne(db, key: "H1"),
             try Schedule.inputs(db, under: Hierarchy.unit(db, code: "G1")!, asOf: LocalDate("2026-06-30")!).first { $0.householdCode == "H3" }?.intervalDays)
        }
        #expect(h1?.lastMetOn == nil)
        #expect(h3Interval == 90)
    }

    @Test("GB18030 files are detected and read")
    func gb18030() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory(smallCounty)
        for name in ["units.csv", "households.csv"] {
            let bytes = try TextDecoding.transcode(Array(smallCounty[name]!.utf8), from: "UTF-8", to: "GB18030")
            #expect(TextDecoding.firstInvalidUTF8Offset(bytes) != nil)
            try await seeds.write(name, Data(bytes))
        }
        let summary = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(summary.files.first { $0.file == "units.csv" }?.encoding == "GB18030")
        #expect(try await database.unit(code: "V2").name == "乌兰嘎查")
        #expect(try await database.read { try Household.fetchOne($0, key: "H2")?.address } == "红旗村一组2号, 东屋")
    }

    @Test("--encoding gb18030 forces the encoding; utf-8 refuses GB18030 bytes")
    func forcedEncoding() async throws {
        let seeds = try SeedDirectory([:])
        try seeds.write("units.csv", Data(try TextDecoding.transcode(Array(smallCounty["units.csv"]!.utf8), from: "UTF-8", to: "GB18030")))
        let forced = try AppDatabase.inMemory(clock: .fixed(testNow))
        _ = try await forced.importSeeds(from: seeds.url, options: ImportOptions(encoding: .gb18030, now: testNow))
        #expect(try await forced.unit(code: "T1").name == "东风镇")
        let refused = try AppDatabase.inMemory(clock: .fixed(testNow))
        let failure = try await #require(throws: ImportFailure.self) {
            try await refused.importSeeds(from: seeds.url, options: ImportOptions(encoding: .utf8, now: testNow))
        }
        #expect(failure.problems.map(\.description) == [
            "units.csv:2: name: byte 0xB2 (character 3 of the line) is not valid UTF-8 text (chosen with --encoding utf-8); "
                + "save the file as UTF-8, or leave --encoding at auto to detect the encoding",
        ])
    }

    @Test("a UTF-8 BOM and CRLF line ends are read as plain UTF-8")
    func bomAndCRLF() async throws {
        let seeds = try SeedDirectory(smallCounty)
        for name in ["units.csv", "households.csv", "visits.csv"] {
            let crlf = smallCounty[name]!.replacingOccurrences(of: "\n", with: "\r\n")
            try await seeds.write(name, Data([0xEF, 0xBB, 0xBF] + Array(crlf.utf8)))
        }
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(try await database.unit(code: "C").name == "测试县")
        #expect(try await database.read { try Household.fetchOne($0, key: "H8")?.registeredOn.description } == "2025-01-01")
        #expect(try await tableCounts(database)["visits"] == 7)
    }

    @Test("a missing directory is refused")
    func missingDirectory() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let failure = try await #require(throws: ImportFailure.self) {
            try await database.importSeeds(from: URL(fileURLWithPath: "/nonexistent/seeds"))
        }
        #expect(failure.problems.map(\.description) == ["/nonexistent/seeds:0: -: no such directory"])
    }
}

@Suite("CSV reading")
struct CSVReaderTests {
    func records(_ text: String) async throws -> [String] {
        var reader = CSVReader(utf8: Array(text.utf8))
        var lines: [String] = []
        while try reader.next() { lines.append("\(reader.line):" + reader.fields.joined(separator: "|")) }
        return lines
    }

    @Test("quoted fields hold commas, doubled quotes and line breaks; lines are counted")
    func quoting() async throws {
        #expect(try await records("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\r\nlast,\n") == [
            "1:a|b", "2:x, y|say \"hi\"", "3:two\nlines|z", "5:last|",
        ])
    }

    @Test("blank lines are skipped and CR alone ends a line")
    func blankLines() async throws {
        #expect(try await records("a\n\n\rb\rc") == ["1:a", "4:b", "5:c"])
    }

    @Test("text after a closing quote is an error on that line")
    func textAfterQuote() async throws {
        var reader = CSVReader(utf8: Array("a\n\"x\"y,z\nb\n".utf8))
        #expect(try reader.next())
        await #expect(throws: CSVSyntaxError(line: 2, problem: "text after a closing quote (a quote inside a field must be doubled)")) {
            try await reader.next()
        }
        #expect(try reader.next())
        #expect(reader.fields == ["b"])
    }
}
