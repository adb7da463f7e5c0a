import ArgumentParser
import Foundation
import GridbookAPI
@testable import GridbookCLI
import GridbookCore
import Testing

/// What a command prints to standard output when it runs at `date`.
private func printed(_ arguments: [String], at date: Date) async throws -> String {
    let capture = OutputCapture()
    var command = try #require(try Gridbook.parseAsRoot(arguments) as? any AsyncParsableCommand)
    try await Console.$clock.withValue(.fixed(date)) {
        try await Console.$capture.withValue(capture) { try await command.run() }
    }
    return capture.output
}

@Suite("--format offers only what a command prints")
struct FormatChoiceCLITests {
    @Test("a command that prints one record or what it did refuses csv with exit 64 naming table and json, and its help lists only those")
    func recordsRefuseCSV() throws {
        let commands: [[String]] = [
            ["case", "add", "--title", "A", "--category", "neighbour", "--unit", "V1"],
            ["case", "show", "2026-000001"],
            ["household", "show", "H1"],
            ["person", "show", "P1"],
            ["visit", "log", "--household", "H1", "--visitor", "P1", "--at", "2026-06-30T09:00:00+08:00", "--outcome", "met", "--method", "door"],
            ["risk", "add", "--unit", "G1", "--category", "land", "--level", "red", "--title", "x"],
            ["risk", "show", "R2026-000001"],
            ["report", "pairing"],
            ["unit", "show", "C"],
        ]
        for arguments in commands {
            // The arguments are complete: only --format csv is wrong.
            _ = try Gridbook.parseAsRoot(arguments + ["--format", "json"])
            var refusal: (any Error)?
            do { _ = try Gridbook.parseAsRoot(arguments + ["--format", "csv"]) } catch { refusal = error }
            let error = try #require(refusal, "\(arguments)")
            #expect(Gridbook.exitCode(for: error) == .validationFailure, "\(arguments)")
            #expect(Gridbook.message(for: error) == "The value 'csv' is invalid for '--format <format>'. Please provide one of 'table' and 'json'.",
                    "\(arguments)")
            let help = Gridbook.helpMessage(for: type(of: try Gridbook.parseAsRoot(arguments)), columns: 200)
            #expect(help.contains("table or json. (values: table, json; default: table)"), "\(arguments): \(help)")
        }
    }

    @Test("report units --format csv prints the ranking's rows (RFC 4180), without the table's heading and rule")
    func unitsCSV() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-units-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("g.sqlite").path
        // Given the demo county, made on 1 December 2026 (no cases: the rates and first response are –).
        _ = try await printed(["demo", "--db", path], at: apiNow)
        let csv = try await printed(["report", "units", "--db", path, "--period", "month", "--on", "2026-12-01", "--format", "csv"], at: apiNow)
        #expect(csv == """
            rank,code,name,score,coverage,on time,satisfied,first response,yellow,red\r
            1,150599004000,前进街道,91.2,82.4%,–,–,–,0,0\r
            2,150599003000,黄花山镇,91.1,82.1%,–,–,–,0,0\r
            3,150599001000,鲁北镇,90.9,81.7%,–,–,–,0,0\r
            4,150599002000,巴彦塔拉苏木,82.1,64.2%,–,–,–,0,0\r

            """)
    }

    @Test("supervise --format csv prints the cards given as CSV rows, and the header alone when there are none")
    func superviseCSV() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-supervise-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("g.sqlite").path
        // Given the demo county and a case accepted on Tuesday 24 November 2026, never dispatched.
        _ = try await printed(["demo", "--db", path], at: apiNow)
        _ = try await printed(["case", "add", "--db", path, "--as", "P000005", "--title", "A", "--category", "neighbour",
                               "--unit", "150599001001001", "--format", "json"], at: Date(timeIntervalSince1970: 1_795_485_600))
        // When supervision runs on 7 December, then again.
        let later = Date(timeIntervalSince1970: 1_796_608_800)
        let first = try await printed(["supervise", "--db", path, "--format", "csv"], at: later)
        let again = try await printed(["supervise", "--db", path, "--format", "csv"], at: later)
        #expect(first == """
            case,card,reason\r
            2026-000001,yellow,"not dispatched by 2026-11-25, the first working day after acceptance"\r
            2026-000001,red,past its deadline 2026-12-01 and not finished\r

            """)
        #expect(again == "case,card,reason\r\n")
    }
}
