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
    }

    @Test("CSV output quotes fields with commas, quotes and line breaks")
    func csvQuoting() {
        #expect(CSVWriter.render([["a", "b,c"], ["say \"hi\"", "two\nlines"]]) == "a,\"b,c\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n")
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
    func databasePath() throws {
        let before = try #require(try Gridbook.parseAsRoot(["--db", "/tmp/a.sqlite", "unit", "list"]) as? UnitListCommand)
        #expect(before.global.databasePath == "/tmp/a.sqlite")
        let after = try #require(try Gridbook.parseAsRoot(["unit", "list", "--db", "/tmp/b.sqlite"]) as? UnitListCommand)
        #expect(after.global.databasePath == "/tmp/b.sqlite")
    }

    @Test("a command on a missing database says how to create one, and creates nothing")
    func missingDatabase() throws {
        let path = temporaryPath("missing.sqlite")
        let command = try #require(try Gridbook.parseAsRoot(["report", "coverage", "--db", path]) as? CoverageCommand)
        let error = try #require(throws: CLIError.self) { try command.run() }
        #expect(error.description == "no database at \(path); create one with `gridbook init` or `gridbook import DIR`, or pass --db")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a failed import into a new file leaves no database file behind")
    func failedImportLeavesNoFile() throws {
        let directory = temporaryPath("seeds")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("code,name,level,parent_code\nV1,村,village,T9\n".utf8).write(to: URL(fileURLWithPath: directory + "/units.csv"))
        let path = temporaryPath("import.sqlite")
        let command = try #require(try Gridbook.parseAsRoot(["import", directory, "--db", path]) as? ImportCommand)
        #expect(throws: ExitCode.failure) { try command.run() }
        #expect(!FileManager.default.fileExists(atPath: path))
        let missing = try #require(try Gridbook.parseAsRoot(["import", directory + "/nope", "--db", path]) as? ImportCommand)
        let error = try #require(throws: CLIError.self) { try missing.run() }
        #expect(error.description == "\(directory)/nope: no such directory")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("the demo writes to --db when given, and refuses a file that exists")
    func demoDatabase() throws {
        let path = temporaryPath("demo.sqlite")
        try Data().write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let command = try #require(try Gridbook.parseAsRoot(["--db", path, "demo"]) as? DemoCommand)
        let error = try #require(throws: CLIError.self) { try command.run() }
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
