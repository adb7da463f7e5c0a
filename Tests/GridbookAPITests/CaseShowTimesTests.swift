import Foundation
import GridbookAPI
@testable import GridbookCLI
import GridbookCore
import Testing

@Suite("case show prints when a case was reported and first responded to")
struct CaseShowTimesTests {
    @Test("case show prints reported_at in local time and the first response in minutes, as its JSON has them")
    func reportedAndFirstResponse() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-case-show-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("g.sqlite").path
        // Given a case reported at 07:40 Beijing time on 25 November, accepted and responded to
        // at the tests' now (2026-12-01 08:00 Beijing time).
        let (database, _) = try await apiDatabase(file: path)
        let reportedAt = try NewCase.reportedAt("2026-11-25T07:40:00+08:00")
        let dispute = try await database.fileCase(NewCase(title: "排水", category: "neighbour", unitCode: "V1", parties: "",
                                                          source: .chatGroup, reportedAt: reportedAt), by: .person("P3"))
        _ = try await database.act(onCase: dispute.id, CaseActionInput(.respond, note: "村干部到场"), by: .person("P3"))
        // When it is shown as a table and as JSON.
        let table = try await printed(["case", "show", "--db", path, dispute.id])
        let json = try await printed(["case", "show", "--db", path, dispute.id, "--format", "json"])
        // Then both say the same report time and first response (6 days 20 min = 8660 min).
        #expect(table.split(separator: "\n", omittingEmptySubsequences: false).prefix(3) == [
            "2026-000001  accepted  village  mediation  neighbour  排水",
            "unit V1; parties –; assignee –; deadline 2026-12-08",
            "reported 2026-11-25 07:40; first response 8660 min",
        ])
        #expect(json.contains("\"first_response_seconds\" : 519600,"))
        #expect(json.contains("\"reported_at\" : \"2026-11-24T23:40:00Z\","))
    }

    @Test("case show prints – for a case reported as it was entered and not yet responded to")
    func absentTimes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-case-show-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("g.sqlite").path
        let (database, _) = try await apiDatabase(file: path)
        let dispute = try await database.fileCase(NewCase(title: "噪音", category: "neighbour", unitCode: "V1", parties: "", source: .walkIn),
                                                  by: .person("P3"))
        let table = try await printed(["case", "show", "--db", path, dispute.id])
        #expect(table.split(separator: "\n").dropFirst(2).first == "reported –; first response –")
    }
}
