import Foundation
import GRDB
import Testing
@testable import GridbookCore

@Suite("What spreadsheets do to seed files")
struct SpreadsheetHabitTests {
    @Test("dates as spreadsheets write them", arguments: [
        ("2026-05-04", "2026-05-04"), ("2026-5-4", "2026-05-04"), ("2026/5/4", "2026-05-04"), ("2026/05/04", "2026-05-04"),
        ("2026.5.4", "2026-05-04"), ("2026年5月4日", "2026-05-04"), ("2026/5/4 0:00", "2026-05-04"),
        ("2026-05-04T00:00:00", "2026-05-04"), ("2024/2/29", "2024-02-29"), ("2026/5/4 23:59:59", "2026-05-04"),
        ("2026-05-04 00:00:00.000", "2026-05-04"), ("2026/5/4 12:00 AM", "2026-05-04"),
        ("2026-05-04T00:00:00Z", "2026-05-04"), ("2026-05-04T00:00:00+08:00", "2026-05-04"),
    ])
    func dates(text: String, expected: String) {
        #expect(SpreadsheetHabits.date(text)?.description == expected)
    }

    @Test("what is not a date stays refused", arguments: [
        "2026/2/30", "26/5/4", "2026-5", "2026/5-4", "5/4/2026", "2026年5月4", "２０２６/5/4", "2026//4", "", "2026/5/4/1",
        // Something after the date that is not a time of day: a range, a weekday, an impossible time.
        "2026/5/4 至 2026/6/1", "2026年05月04日 星期一", "2026-05-04T25:99", "2026/5/4TUE", "2026/5/4 ", "2026/5/4 9:5",
        "2026/5/4 13:00 PM", "2026-05-04T00:00:00+8", "2026-05-04T00:00:00Z+08:00",
    ])
    func notDates(text: String) {
        #expect(SpreadsheetHabits.date(text) == nil)
    }

    @Test("a date column's cell kept as its date serial is that date, in the workbook's date system; other numbers are not dates")
    func serialDates() async throws {
        #expect(SpreadsheetHabits.serialDate("45416", date1904: false)?.description == "2024-05-04")
        #expect(SpreadsheetHabits.serialDate("45416.75", date1904: false)?.description == "2024-05-04")
        #expect(SpreadsheetHabits.serialDate("45416", date1904: true)?.description == "2028-05-05")
        // Not a date of 2000 to 2099: a mistyped year, or a serial before 2000.
        for text in ["4541", "045416", "454160", "45416.", ".5", "4.5416E4", "-45416", "45416.5.1", "４５４１６", "20265", "36525", "73051"] {
            #expect(SpreadsheetHabits.serialDate(text, date1904: false) == nil, "\(text)")
        }
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty
        files["households.csv"] = files["households.csv"]!.replacingOccurrences(of: ",3,,2025-01-01", with: ",3,,45658")
        files["duties.csv"] = files["duties.csv"]!.replacingOccurrences(of: "P2,grid_member,G3,2025-01-01,", with: "P2,grid_member,G3,45658.25,")
        let seeds = try SeedDirectory(files)
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(try await database.read { db in
            try String.fetchAll(db, sql: "SELECT registered_on FROM households WHERE code = 'H1' UNION ALL SELECT since FROM duties WHERE person_id = 'P2'")
        } == ["2025-01-01", "2025-01-01"])
        let fresh = try AppDatabase.inMemory(clock: .fixed(testNow))
        let found = try await importProblems(fresh, smallCounty(replacing: "households.csv", with: "H1,G1,,地址,姓名,,1,,4541\n"))
        #expect(found.first == "households.csv:2: registered_on: 4541 is not a date (YYYY-MM-DD, 2026/5/4 or 2026年5月4日)")
        #expect(try await tableCounts(fresh)["households"] == 0)
    }

    @Test("full-width digits in phone and ID numbers are read as digits; x becomes X")
    func halfWidth() {
        #expect(SpreadsheetHabits.phone("１３８１２３４１２３４") == "13812341234")
        #expect(SpreadsheetHabits.phone("＋８６ １３８－１２３４－１２３４") == "+86 138-1234-1234")
        #expect(SpreadsheetHabits.idNumber("１１０１０１１９９００３０７８６７ｘ") == "11010119900307867X")
        #expect(SpreadsheetHabits.idNumber("11010119900307867x") == "11010119900307867X")
    }

    @Test("numbers Excel put in scientific notation are refused, saying why")
    func scientific() {
        #expect(SpreadsheetHabits.scientificNotationProblem("1.39056E+10")
            == "1.39056E+10 was stored as a number by the spreadsheet, which lost its digits: format the column as text in the spreadsheet and type the numbers again")
        #expect(SpreadsheetHabits.scientificNotationProblem("1.10105E+17") != nil)
        #expect(SpreadsheetHabits.scientificNotationProblem("1.10105e+17") != nil)
        for plain in ["13812341234", "110101199003078670", "E+10", "1.2E", "1E+10x", "+86 138"] {
            #expect(SpreadsheetHabits.scientificNotationProblem(plain) == nil, "\(plain)")
        }
    }

    @Test("a code a spreadsheet turned into a number is explained in every column that refers to a record, and nothing is written")
    func referencesStoredAsNumbers() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty
        files["households.csv"] = "code,grid_code,block_code,address,head_name,phone,members,tags,registered_on\n"
            + "H1,1.50599E+14,,地址,姓名,,1,,2025-01-01\nH2,G1,1.50599001001001E+16,地址,姓名,,1,,2025-01-01\n"
        files["duties.csv"] = "person_id,role,unit_code,since,until\nP1,grid_member,1.50599E+14,2025-01-01,\n"
        files["visits.csv"] = "id,household_code,visitor_id,visited_at,method,outcome,note\n"
            + "00000000-0000-4000-8000-000000000001,1.50599E+18,P1,2026-06-01T10:00:00+08:00,door,met,\n"
        let found = try await importProblems(database, files)
        let why = "was stored as a number by the spreadsheet, which lost its digits: format the column as text in the spreadsheet and type the numbers again"
        #expect(found == [
            "duties.csv:2: unit_code: 1.50599E+14 \(why)",
            "households.csv:2: grid_code: 1.50599E+14 \(why)",
            "households.csv:3: block_code: 1.50599001001001E+16 \(why)",
            "visits.csv:2: household_code: 1.50599E+18 \(why)",
        ], "\(found)")
        #expect(try await tableCounts(database)["households"] == 0)
    }

    @Test("a spreadsheet error written into a CSV or Unicode text file (#N/A, #REF!, Err:502) is refused, naming the cell, and nothing is written")
    func errorText() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty
        files["households.csv"] = files["households.csv"]!
            .replacingOccurrences(of: "红旗村二组1号", with: "#N/A").replacingOccurrences(of: ",陈静,", with: ", #REF! ,")
        files["visits.csv"] = files["visits.csv"]!.replacingOccurrences(of: ",家中无人", with: ",Err:502")
        files["people.csv"] = "id\tname\tphone\tid_number\nP1\t张伟\t\t\nP2\t巴特尔\t\t\nP3\t张三\t#VALUE!\t\nP4\t#NAME?\t\t\n"
        files["people.txt"] = files.removeValue(forKey: "people.csv")
        let found = try await importProblems(database, files)
        let why = "not a value: correct the formula behind it, or type the value"
        #expect(found == [
            "people.txt:4: phone: holds the spreadsheet error #VALUE!, \(why)",
            "people.txt:5: name: holds the spreadsheet error #NAME?, \(why)",
            "households.csv:5: address: holds the spreadsheet error #N/A, \(why)",
            "households.csv:6: head_name: holds the spreadsheet error #REF!, \(why)",
            "visits.csv:5: note: holds the spreadsheet error Err:502, \(why)",
        ], "\(found)")
        #expect(try await tableCounts(database) == (try await tableCounts(try AppDatabase.inMemory(clock: .fixed(testNow)))))
        // Text that only looks like one is text.
        for text in ["#N/A2", "#3号楼", "Err:5021", "Error"] { #expect(!SpreadsheetHabits.isSpreadsheetError(text), "\(text)") }
    }

    @Test("a file separated by the wrong character is refused with one line saying so, and nothing is written")
    func wrongSeparator() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty
        files["categories.csv"] = "code;label;interval_days\nelderly;独居老人;7\n"
        files["people.txt"] = files.removeValue(forKey: "people.csv")
        let found = try await importProblems(database, files)
        #expect(found.filter { !$0.contains("unknown person") } == [
            "categories.csv:1: -: the header is separated by semicolons, but a .csv file is separated by commas: save the file again as CSV (comma delimited)",
            "people.txt:1: -: the header is separated by commas, but a .txt file (Excel's Unicode text) is separated by tabs: save the file again as Unicode text",
        ], "\(found)")
        #expect(try await tableCounts(database) == (try await tableCounts(try AppDatabase.inMemory(clock: .fixed(testNow)))))
    }

    @Test("blank columns beside the table (trailing commas) are passed over while empty; a value in one is refused")
    func unnamedColumns() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty
        files["people.csv"] = "id,name,phone,id_number,,\nP1,张伟,,,,\nP2,巴特尔,,,,\nP3,乌兰,,,,\n"
        let seeds = try SeedDirectory(files)
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(try await database.read { db in try String.fetchAll(db, sql: "SELECT id || ' ' || name FROM people ORDER BY id") }
            == ["P1 张伟", "P2 巴特尔", "P3 乌兰"])
        let fresh = try AppDatabase.inMemory(clock: .fixed(testNow))
        files["people.csv"] = "id,name,phone,id_number,,\nP1,张伟,,,,\nP2,巴特尔,,,,\nP3,乌兰,,,备注,\n"
        let found = try await importProblems(fresh, files)
        #expect(found == [
            "people.csv:4: -: column 5 has no name in the header but holds 备注: name the column or clear it",
        ], "\(found)")
        #expect(try await tableCounts(fresh)["people"] == 0)
    }

    @Test("a file of corrections without block_code moving a household to a grid its block is not in is refused at its line")
    func gridMoveKeepsBlock() async throws {
        let database = try await smallCountyDatabase()
        let before = try await tableCounts(database)
        // H2 is in block B1 of G1.
        let found = try await importProblems(database, ["households.csv": "code,grid_code,registered_on\nH2,G2,2025-01-01\n"])
        #expect(found == ["households.csv:2: grid_code: H2's block B1 is in grid G1, not G2: add a block_code column with a block of G2 (or empty, for no block)"])
        #expect(try await tableCounts(database) == before)
        #expect(try await database.read { try Household.fetchOne($0, key: "H2")?.gridCode } == "G1")
        // With block_code empty the move is made.
        let corrections = try SeedDirectory(["households.csv": "code,grid_code,block_code,registered_on\nH2,G2,,2025-01-01\n"])
        _ = try await database.importSeeds(from: corrections.url, options: ImportOptions(now: testNow))
        let moved = try await database.read { try Household.fetchOne($0, key: "H2") }
        #expect(moved?.gridCode == "G2")
        #expect(moved?.blockCode == nil)
    }

    @Test("an import reads Excel's habits: dates, full-width digits, lower-case x, spaces around codes")
    func importReadsHabits() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty
        files["people.csv"] = "id,name,phone,id_number\nP1\u{A0},张伟,１３８１２３４１２３４,11010119900307002x\nP2 ,巴特尔,,\n"
        files["duties.csv"] = "person_id,role,unit_code,since,until\nP1,grid_member,G1,2025/1/1,\nP2,grid_member,G3\u{3000},2025年1月1日,2026-5-4\n"
        let seeds = try SeedDirectory(files)
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        let people = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT id || '|' || IFNULL(phone, '') || '|' || IFNULL(id_number, '') FROM people ORDER BY id")
        }
        #expect(people == ["P1|13812341234|11010119900307002X", "P2||"])
        let duties = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT person_id || ' ' || unit_code || ' ' || since || ' ' || IFNULL(until, '-') FROM duties ORDER BY person_id")
        }
        #expect(duties == ["P1 G1 2025-01-01 -", "P2 G3 2025-01-01 2026-05-04"])
    }

    @Test("an import refuses what Excel broke and full-width codes, and writes nothing")
    func importRefusesBreakage() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = ["units.csv": smallCounty["units.csv"] ?? ""]
        files["people.csv"] = "id,name,phone,id_number\nP1,张伟,1.38123E+10,1.10101E+17\nP2,巴特尔,,110101199003071234\nＰ3,乌兰,,\n"
        let found = try await importProblems(database, files)
        #expect(found == [
            "people.csv:2: phone: 1.38123E+10 was stored as a number by the spreadsheet, which lost its digits: format the column as text in the spreadsheet and type the numbers again",
            "people.csv:2: id_number: 1.10101E+17 was stored as a number by the spreadsheet, which lost its digits: format the column as text in the spreadsheet and type the numbers again",
            "people.csv:3: id_number: the ID number's check digit is wrong",
            "people.csv:4: id: \"Ｐ3\" holds full-width characters (such as ０-９ or Ａ-Ｚ): type codes in half-width (半角) characters",
        ], "\(found)")
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM people") } == 0)
    }

    @Test("Excel's Unicode text (UTF-16LE with a byte-order mark, tab-separated .txt) is read as a seed file")
    func unicodeText() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty
        let units = try #require(files["units.csv"])
        files["units.csv"] = nil
        let seeds = try SeedDirectory(files)
        let tabbed = units.replacingOccurrences(of: ",", with: "\t").replacingOccurrences(of: "\n", with: "\r\n")
        try seeds.write("units.txt", Data([0xFF, 0xFE]) + Data(tabbed.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
        let summary = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        let read = try #require(summary.files.first { $0.file == "units.txt" })
        #expect(read.encoding == "UTF-16LE" && read.rows == 9)
        #expect(try await database.read { db in try String.fetchAll(db, sql: "SELECT name FROM units ORDER BY code") }
            == ["一号楼栋", "测试县", "第一网格", "第二网格", "第一网格", "东风镇", "巴彦苏木", "红旗村", "乌兰嘎查"])
    }

    @Test("a workbook is read like its CSV file; a bad row is reported at its sheet row; nothing is written")
    func workbook() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty
        files["households.csv"] = nil
        files["visits.csv"] = nil
        let seeds = try SeedDirectory(files)
        let sheet = try XLSXWriter(destination: seeds.url.appendingPathComponent("households.xlsx"))
        try sheet.append(["code", "grid_code", "block_code", "address", "head_name", "phone", "members", "tags", "registered_on"])
        try sheet.append(["H1", "G1", "", "红旗村一组1号, \"东屋\"", "李明", "１３９００００１１１１", "3"])
        try sheet.append(["H2", "G1", "", "红旗村一组2号", "王芳", "", "1", "", "2026/2/30"])
        try sheet.finish()
        do {
            _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
            Issue.record("the import went ahead")
        } catch let failure as ImportFailure {
            #expect(failure.problems.map(\.description) == [
                "households.xlsx:2: registered_on: is empty",
                "households.xlsx:3: registered_on: 2026/2/30 is not a date (YYYY-MM-DD, 2026/5/4 or 2026年5月4日)",
            ])
        }
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM households") } == 0)
        try FileManager.default.removeItem(at: seeds.url.appendingPathComponent("households.xlsx"))
        let fixed = try XLSXWriter(destination: seeds.url.appendingPathComponent("households.xlsx"))
        try fixed.append(["code", "grid_code", "block_code", "address", "head_name", "phone", "members", "tags", "registered_on"])
        try fixed.append(["H1", "G1", "", "红旗村一组1号, \"东屋\"", "李明", "１３９００００１１１１", "3", "elderly", "2025年1月1日"])
        try fixed.finish()
        let summary = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(summary.files.first { $0.file == "households.xlsx" }?.rows == 1)
        #expect(try await database.read { db in try String.fetchAll(db, sql: "SELECT address || '|' || phone || '|' || registered_on FROM households") }
            == ["红旗村一组1号, \"东屋\"|13900001111|2025-01-01"])
    }

    @Test("a file present in two forms is refused, and nothing is written")
    func twoForms() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory(smallCounty)
        try seeds.write("units.txt", Data("code\tname\tlevel\tparent_code\n".utf8))
        do {
            _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
            Issue.record("the import went ahead")
        } catch let failure as ImportFailure {
            #expect(failure.problems.map(\.description) == ["units.csv:1: -: the same file is here as units.csv and units.txt: keep one"])
        }
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM units") } == 0)
    }
}
