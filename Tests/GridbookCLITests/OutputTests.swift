import ArgumentParser
import Foundation
import Testing
@testable import GridbookCLI
@testable import GridbookCore

@Suite("Terminal output")
struct OutputTests {
    @Test("CJK characters take two columns, so table columns line up")
    func cjkTable() {
        var table = TextTable(headers: ["code", "name", "households"], alignments: [.left, .left, .right])
        table.rows = [["T1", "巴彦塔拉苏木", "654"], ["T22", "鲁北镇", "1644"], ["T3", "Qianjin", "7"]]
        table.footer = [["total", "", "2305"]]
        #expect(table.render() == """
            code   name          households
            ─────  ────────────  ──────────
            T1     巴彦塔拉苏木         654
            T22    鲁北镇              1644
            T3     Qianjin                7
            ─────  ────────────  ──────────
            total                      2305

            """)
    }

    @Test("display widths of Chinese, full-width punctuation, Latin and combining marks")
    func widths() {
        #expect(DisplayWidth.of("鲁北镇") == 6)
        #expect(DisplayWidth.of("（失能）") == 8)
        #expect(DisplayWidth.of("Ulaan") == 5)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        // Tibetan vowel signs and subjoined letters sit on the letter before them.
        #expect(DisplayWidth.of("བཀྲ་ཤིས་དོན་གྲུབ") == 11)
        #expect(DisplayWidth.of("\u{200D}\u{FEFF}") == 0)
    }

    @Test("a line break or tab in a cell is shown as a space, so each row stays one line")
    func lineBreaksInCells() {
        var table = TextTable(headers: ["code", "address"], alignments: [.left, .left])
        table.rows = [["H1", "红旗村\r\n二楼"], ["H2", "东屋\n\t后院\r"]]
        #expect(table.render() == """
            code  address
            ────  ───────────
            H1    红旗村 二楼
            H2    东屋  后院\u{20}

            """)
    }

    @Test("CSV output quotes fields with commas, quotes and line breaks")
    func csvQuoting() {
        #expect(CSVWriter.render([["a", "b,c"], ["say \"hi\"", "two\nlines"]]) == "a,\"b,c\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n")
        // CRLF is one Character in Swift, equal to neither CR nor LF: it is quoted too, as is a lone CR.
        #expect(CSVWriter.render([["六号\r\n二楼", "a\rb"]]) == "\"六号\r\n二楼\",\"a\rb\"\r\n")
    }

    @Test("CSV output puts an apostrophe before text a spreadsheet would run as a formula, not before numbers")
    func csvFormulaGuard() {
        #expect(CSVWriter.render([["=HYPERLINK(\"http://x\")", "+86 139", "-见上次", "@SUM(A1)", "\tx"]])
            == "\"'=HYPERLINK(\"\"http://x\"\")\",'+86 139,'-见上次,'@SUM(A1)\r\n".replacingOccurrences(of: "\r\n", with: ",'\tx\r\n"))
        #expect(CSVWriter.render([["-3", "+1.5", "-0.25", "-", "+", "2026-05-04", "a=b"]]) == "-3,+1.5,-0.25,-,+,2026-05-04,a=b\r\n")
    }
}

@Suite("Command-line arguments")
struct ArgumentTests {
    @Test("a malformed --as-of date is refused before anything runs")
    func badAsOf() {
        #expect(Gridbook.message(for: ValidationErrorProbe.parse(["report", "coverage", "--as-of", "2026-02-30"]))
            .contains("--as-of 2026-02-30 is not a date (YYYY-MM-DD)"))
    }

    @Test("an unknown encoding is refused")
    func badEncoding() {
        #expect(Gridbook.message(for: ValidationErrorProbe.parse(["import", "/tmp", "--encoding", "latin1"]))
            .contains("unknown encoding latin1"))
    }

    @Test("the database comes from --db before or after the subcommand, else GRIDBOOK_DB")
    func databasePath() async throws {
        let before = try #require(try Gridbook.parseAsRoot(["--db", "/tmp/a.sqlite", "unit", "list"]) as? UnitListCommand)
        #expect(before.global.databasePath == "/tmp/a.sqlite")
        let after = try #require(try Gridbook.parseAsRoot(["unit", "list", "--db", "/tmp/b.sqlite"]) as? UnitListCommand)
        #expect(after.global.databasePath == "/tmp/b.sqlite")
    }

    @Test("a command on a missing database says how to create one, and creates nothing")
    func missingDatabase() async throws {
        let path = temporaryPath("missing.sqlite")
        let command = try #require(try Gridbook.parseAsRoot(["report", "coverage", "--db", path]) as? CoverageCommand)
        let error = try await #require(throws: CLIError.self) { try await command.run() }
        #expect(error.description == "no database at \(path); create one with `gridbook init` or `gridbook import DIR`, or pass --db")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a failed import into a new file leaves no database file behind")
    func failedImportLeavesNoFile() async throws {
        let directory = temporaryPath("seeds")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("code,name,level,parent_code\nV1,村,village,T9\n".utf8).write(to: URL(fileURLWithPath: directory + "/units.csv"))
        let path = temporaryPath("import.sqlite")
        let command = try #require(try Gridbook.parseAsRoot(["import", directory, "--db", path]) as? ImportCommand)
        await #expect(throws: ExitCode.failure) { try await command.run() }
        #expect(!FileManager.default.fileExists(atPath: path))
        let missing = try #require(try Gridbook.parseAsRoot(["import", directory + "/nope", "--db", path]) as? ImportCommand)
        let error = try await #require(throws: CLIError.self) { try await missing.run() }
        #expect(error.description == "\(directory)/nope: no such directory")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("the demo writes to --db when given, and refuses a file that exists")
    func demoDatabase() async throws {
        let path = temporaryPath("demo.sqlite")
        try Data().write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let command = try #require(try Gridbook.parseAsRoot(["--db", path, "demo"]) as? DemoCommand)
        let error = try await #require(throws: CLIError.self) { try await command.run() }
        #expect(error.description.hasPrefix("\(path) already exists"))
    }

    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-\(UUID().uuidString)-\(name)").path
    }
}

/// Parses arguments and hands back the error, so its message can be checked.
enum ValidationErrorProbe {
    static func parse(_ arguments: [String]) -> any Error {
        do {
            _ = try Gridbook.parseAsRoot(arguments)
            return CLIError("parsed without error")
        } catch {
            return error
        }
    }
}

@Suite("visit log from the command line")
final class VisitLogCommandTests {
    /// Database files to remove when the test ends.
    var temporaryFiles: [String] = []

    deinit {
        for path in temporaryFiles {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    /// Runs a command at the tests' "now", 2026-12-01T00:00:00Z.
    func atTestNow<T>(_ body: () async throws -> T) async throws -> T {
        try await Console.$clock.withValue(.fixed(Date(timeIntervalSince1970: 1_796_083_200)), operation: body)
    }

    /// A database file with one grid, one household and its grid member.
    func database() async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = [
            "units.csv": "code,name,level,parent_code\nC,县,county,\nT,镇,township,C\nV,村,village,T\nG,网格,grid,V\n",
            "people.csv": "id,name\nP1,张伟\nP2,李娜\n",
            "duties.csv": "person_id,role,unit_code,since,until\nP1,grid_member,G,2025-01-01,\n",
            "households.csv": "code,grid_code,registered_on\nH1,G,2025-01-01\n",
        ]
        for (name, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
        let path = directory.path + ".sqlite"
        _ = try await AppDatabase.open(path: path).importSeeds(from: directory)
        temporaryFiles.append(path)
        return path
    }

    func visitCount(_ path: String) async throws -> Int {
        try await AppDatabase.open(path: path).visits(under: "C").items.count
    }

    @Test("a visit is logged, and a retry with the same id adds nothing")
    func logAndRetry() async throws {
        let path = try await database()
        let arguments = ["visit", "log", "--db", path, "--household", "H1", "--visitor", "P1", "--at", "2026-06-30T09:00:00+08:00",
                         "--outcome", "met", "--method", "door", "--id", "aaaaaaaa-0000-4000-8000-000000000001"]
        try await atTestNow { try await #require(try Gridbook.parseAsRoot(arguments) as? VisitLogCommand).run() }
        try await atTestNow { try await #require(try Gridbook.parseAsRoot(arguments) as? VisitLogCommand).run() }
        #expect(try await visitCount(path) == 1)
    }

    @Test("--as must name a person of the database; otherwise nothing is written")
    func unknownActor() async throws {
        let path = try await database()
        let arguments = ["visit", "log", "--db", path, "--household", "H1", "--visitor", "P1", "--at", "2026-06-30T09:00:00+08:00",
                         "--outcome", "met", "--method", "door"]
        let error = try await #require(throws: CLIError.self) {
            try await atTestNow { try await #require(try await Gridbook.parseAsRoot(arguments + ["--as", "P404"]) as? VisitLogCommand).run() }
        }
        #expect(error.description == "--as P404: no such person in \(path)")
        #expect(try await visitCount(path) == 0)
        try await atTestNow { try await #require(try Gridbook.parseAsRoot(arguments + ["--as", "P1"]) as? VisitLogCommand).run() }
        #expect(try await AppDatabase.open(path: path).auditEntries(actor: "P1").map(\.action) == ["visit.log"])
    }

    @Test("refusals end with an error (non-zero exit) and write nothing", arguments: [
        (["--household", "H9", "--visitor", "P1", "--at", "2026-06-30T09:00:00+08:00"], "unknown household H9"),
        (["--household", "H1", "--visitor", "P9", "--at", "2026-06-30T09:00:00+08:00"], "unknown person P9"),
        (["--household", "H1", "--visitor", "P1", "--at", "2026-12-01T08:06:00+08:00"], "visited_at: 2026-12-01T08:06:00+08:00 is in the future"),
        (["--household", "H1", "--visitor", "P1", "--at", "yesterday"], "visited_at: yesterday is not an ISO 8601 time with offset (2026-03-02T09:15:00+08:00)"),
        (["--household", "H1", "--visitor", "P2", "--at", "2026-06-30T09:00:00+08:00"], "P2 holds no duty covering household H1 on 2026-06-30"),
    ])
    func refusals(_ arguments: [String], _ message: String) async throws {
        let path = try await database()
        let command = try #require(try Gridbook.parseAsRoot(["visit", "log", "--db", path, "--outcome", "met", "--method", "phone"] + arguments) as? VisitLogCommand)
        let error = try await #require(throws: GridbookError.self) { try await atTestNow { try await command.run() } }
        #expect(error.description == message)
        #expect(Gridbook.exitCode(for: error) == .failure)
        #expect(try await visitCount(path) == 0)
    }
}
