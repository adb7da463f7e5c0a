import ArgumentParser
import Foundation
import GridbookAPI
@testable import GridbookCLI
import GridbookCore
import Testing

/// Issue 15 at the command line: supervise, case add --reported-at, respond, case-deadlines,
/// report units.
@Suite("Supervision at the command line")
struct SupervisionCLITests {
    @Test("supervise prints the cards given, then none; case list --carded; report units as JSON is the API's")
    func supervise() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-supervise-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("g.sqlite").path
        let (database, _) = try await apiDatabase(file: path)
        _ = try await printed(["case", "add", "--db", path, "--as", "P3", "--title", "排水", "--category", "neighbour", "--unit", "V1",
                               "--source", "chat_group", "--reported-at", "2026-11-25T07:40:00+08:00"])
        let filed = try await database.caseDetail(id: "2026-000001").dispute
        #expect(filed.source == .chatGroup && filed.reportedAt == "2026-11-24T23:40:00Z")
        _ = try await printed(["case", "act", "--db", path, "--as", "P3", "2026-000001", "respond", "--note", "村干部到场"])
        #expect(try await database.caseDetail(id: "2026-000001").dispute.firstResponseSeconds(
            ledger: try await database.caseDetail(id: "2026-000001").ledger) == 6 * 86_400 + 20 * 60)
        // Filed at the tests' now (Tuesday 1 December), the case is not yet late: no cards.
        #expect(try await printed(["supervise", "--db", path]) == "no new cards\n")
        #expect(try await printed(["settings", "case-deadlines", "--db", path, "working_days"]) == "working_days\n")
        #expect(try await printed(["settings", "case-deadlines", "--db", path]) == "working_days\n")
        #expect(try await printed(["case", "list", "--db", path, "--carded", "red", "--format", "json"]) == "{\n  \"items\" : [\n\n  ],\n  \"next\" : null\n}\n")
        let ranking = try await printed(["report", "units", "--db", path, "--period", "month", "--on", "2026-12-01", "--format", "json"])
        #expect(ranking.contains("\"period\" : \"month\""))
        let table = try await printed(["report", "units", "--db", path, "--period", "month", "--on", "2026-12-01"])
        #expect(table.hasPrefix("县 (C), 2026-11-01 to 2026-11-30\n\nrank  code  name  score"))
        // A time without its offset is refused, nothing written.
        await #expect(throws: GridbookError.invalid(field: "reported_at",
                                                   problem: "2026-11-25 07:40 is not a time with its offset (2026-12-01T07:40:00+08:00)")) {
            _ = try await printed(["case", "add", "--db", path, "--as", "P3", "--title", "x", "--category", "land", "--unit", "V1",
                                   "--reported-at", "2026-11-25 07:40"])
        }
        #expect(try await database.cases().items.count == 1)
    }
}
