import ArgumentParser
import Foundation
import GridbookAPI
@testable import GridbookCLI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Testing

/// What a command prints to standard output.
func printed(_ arguments: [String]) async throws -> String {
    let capture = OutputCapture()
    var command = try #require(try Gridbook.parseAsRoot(arguments) as? any AsyncParsableCommand)
    try await Console.$clock.withValue(.fixed(apiNow)) {
        try await Console.$capture.withValue(capture) { try await command.run() }
    }
    return capture.output
}

@Suite("--format json prints what the API answers")
struct CLIMatchesAPITests {
    @Test("every report, list and record: the command's JSON is the endpoint's body, byte for byte")
    func sameJSON() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-same-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("api.sqlite").path
        let (database, tokens) = try await apiDatabase(file: path)
        let db = ["--db", path]
        // Given a visit with a finding (logged at the command line), a promoted risk and a case.
        let logVisit = ["visit", "log"] + db + ["--household", "H1", "--visitor", "P1", "--at", "2026-06-30T09:00:00+08:00",
                                               "--outcome", "met", "--method", "door", "--id", visitId(1),
                                               "--finding", "fraud,red,冒充客服电话", "--format", "json"]
        let first = try await printed(logVisit)
        #expect(first.contains("\"findings\" : [") && first.contains("R2026-000001"))
        _ = try await database.promoteRisk(id: "R2026-000001", by: .person("P9"))
        _ = try await database.fileCase(NewCase(title: "噪音", category: "neighbour", unitCode: "V2", parties: "", source: .walkIn), by: .person("P9"))
        let pairs: [([String], String)] = [
            (["due", "--unit", "G1", "--on", "2026-06-30"], "/api/v1/due?unit=G1&on=2026-06-30"),
            (["report", "coverage", "--unit", "C", "--as-of", "2026-06-30"], "/api/v1/reports/coverage?unit=C&as_of=2026-06-30"),
            (["report", "pairing", "--unit", "C"], "/api/v1/reports/pairing?unit=C"),
            (["report", "cases", "--unit", "C", "--from", "2026-01-01", "--to", "2026-12-31"], "/api/v1/reports/cases?unit=C&from=2026-01-01&to=2026-12-31"),
            (["visit", "list", "--unit", "G1"], "/api/v1/visits?unit=G1"),
            (["risk", "list", "--unit", "C"], "/api/v1/risks?unit=C"),
            (["risk", "show", "R2026-000001"], "/api/v1/risks/R2026-000001"),
            (["case", "list", "--unit", "C"], "/api/v1/cases?unit=C"),
            (["case", "show", "2026-000001"], "/api/v1/cases/2026-000001"),
            (["unit", "show", "G1"], "/api/v1/units/G1"),
            (["household", "show", "H1", "--on", "2026-06-30"], "/api/v1/households/H1?on=2026-06-30"),
            (["events", "--after", "0", "--limit", "2"], "/api/v1/events?after=0&limit=2"),
        ]
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            for (arguments, uri) in pairs {
                let command = try await printed(arguments + db + ["--format", "json"])
                let reply = try await client.call(.get, uri, tokens["P9"]!)
                #expect(reply.status == .ok, "\(uri)")
                #expect(command == reply.text + "\n", "\(arguments.joined(separator: " "))")
            }
            // The visit again, at the command line and over the API: the same visit and its (now promoted) risk.
            let visit = try await printed(logVisit)
            let again = try await client.call(.post, "/api/v1/visits", tokens["P1"]!, #"""
                {"id": "\#(visitId(1))", "household_code": "H1", "visited_at": "2026-06-30T09:00:00+08:00", "method": "door", "outcome": "met"}
                """#)
            #expect(again.status == .ok)
            #expect(visit == again.text + "\n")
        }
    }

    @Test("the commands that change a risk or a case print, with --format json, what the matching endpoint answers")
    func sameJSONForWrites() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-same-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("api.sqlite").path
        let (database, tokens) = try await apiDatabase(file: path)
        let db = ["--db", path, "--as", "P9"]
        _ = try await printed(["visit", "log"] + db + ["--household", "H1", "--visitor", "P1", "--at", "2026-06-30T09:00:00+08:00",
                                                       "--outcome", "met", "--method", "door", "--id", visitId(1), "--finding", "fraud,red,冒充客服电话"])
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            // A note changes no field of the risk: the command and the endpoint answer the same risk.
            let updated = try await printed(["risk", "update", "R2026-000001", "--note", "已核实"] + db + ["--format", "json"])
            let patched = try await client.call(.patch, "/api/v1/risks/R2026-000001", tokens["P9"]!, #"{"note": "再次核实"}"#)
            #expect(patched.status == .ok)
            #expect(updated == patched.text + "\n")
            let followed = try await printed(["risk", "follow-up", "R2026-000001", "--note", "电话回访"] + db + ["--format", "json"])
            #expect(followed == patched.text + "\n")
            // Promoted at the command line, then again over the API: the same case (200).
            let promoted = try await printed(["risk", "promote", "R2026-000001"] + db + ["--format", "json"])
            let again = try await client.call(.post, "/api/v1/risks/R2026-000001/promote", tokens["P9"]!, "{}")
            #expect(again.status == .ok)
            #expect(promoted == again.text + "\n")
            // A note on the case at the command line and over the API: the same case.
            let noted = try await printed(["case", "act", "2026-000001", "note", "--note", "已联系当事人"] + db + ["--format", "json"])
            let acted = try await client.call(.post, "/api/v1/cases/2026-000001/actions", tokens["P9"]!, #"{"action": "note", "note": "再次联系"}"#)
            #expect(acted.status == .ok)
            #expect(noted == acted.text + "\n")
        }
    }
}
