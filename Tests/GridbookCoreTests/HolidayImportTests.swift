import Foundation
import GRDB
import Testing
@testable import GridbookCore

/// holidays.csv (issue 15): the work calendar imported like every seed file.
@Suite("holidays.csv")
struct HolidayImportTests {
    @Test("holidays and make-up days import into the work calendar, and export back")
    func imports() async throws {
        let database = try await smallCountyDatabase()
        let seeds = try SeedDirectory(["holidays.csv": """
            date,kind,name
            2026-10-01,holiday,国庆节
            2026/10/2,holiday,国庆节
            2026年10月10日,workday,国庆节调休
            2026-09-20,workday,

            """])
        let summary = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(summary.files.map { "\($0.file) \($0.rows) \($0.added)" } == ["holidays.csv 4 4"])
        let calendar = try await database.workCalendar()
        #expect(calendar.holidays == [LocalDate("2026-10-01")!, LocalDate("2026-10-02")!])
        #expect(calendar.workdays == [LocalDate("2026-09-20")!, LocalDate("2026-10-10")!])
        // Again: the same rows are unchanged.
        let again = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(again.files.map { "\($0.added) \($0.updated)" } == ["0 0"])
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-holidays-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try await database.exportSeeds(to: out)
        let text = String(decoding: try Data(contentsOf: out.appendingPathComponent("holidays.csv")), as: UTF8.self)
        #expect(text == "\u{FEFF}date,kind,name\r\n2026-09-20,workday,\r\n2026-10-01,holiday,国庆节\r\n2026-10-02,holiday,国庆节\r\n2026-10-10,workday,国庆节调休\r\n")
    }

    @Test("a bad date, kind or repeated date is refused with its line, and nothing is written")
    func refusals() async throws {
        let database = try await smallCountyDatabase()
        let problems = try await importProblems(database, ["holidays.csv": """
            date,kind,name
            2026-10-01,holiday,国庆节
            2026-13-01,holiday,x
            2026-10-03,vacation,x
            2026-10-01,workday,again

            """])
        #expect(problems == [
            "holidays.csv:3: date: 2026-13-01 is not a date (YYYY-MM-DD, 2026/5/4 or 2026年5月4日)",
            "holidays.csv:4: kind: vacation is not one of holiday|workday",
            "holidays.csv:5: date: 2026-10-01 appears twice in the file (first on line 2)",
        ])
        #expect(try await database.workCalendar() == WorkCalendar())
    }
}
