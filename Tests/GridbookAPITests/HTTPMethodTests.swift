import Foundation
import GridbookAPI
import GridbookCore
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// HTTP's own rules every route keeps: HEAD wherever GET works, 405 with `Allow` for a method a
/// path does not take, the `Authorization` scheme in any case.
@Suite("HTTP methods and headers")
struct HTTPMethodTests {
    @Test("HEAD answers wherever GET does: its status and headers, Content-Length included, no body", arguments: [
        "/healthz", "/openapi.yaml", "/open311/v2/services.json", "/open311/v2/services/land.xml", "/api/v1/me", "/api/v1/units/G1",
        "/api/v1/me?reveal=nonsense", "/nothing-here", "/open311/v2/requests/2026-999999.json",
    ])
    func head(uri: String) async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let headers: HTTPFields = [.authorization: "Bearer \(tokens["P1"]!)"]
            let (status, type, length) = try await client.execute(uri: uri, method: .get, headers: headers) { response in
                (response.status, response.headers[.contentType], response.body.readableBytes)
            }
            try await client.execute(uri: uri, method: .head, headers: headers) { response in
                #expect(response.status == status, "\(uri)")
                #expect(response.headers[.contentType] == type, "\(uri)")
                #expect(response.headers[.contentLength] == String(length), "\(uri)")
                #expect(response.body.readableBytes == 0, "\(uri)")
            }
        }
    }

    @Test("a method a documented path does not take answers 405 with Allow, in the path's error format, and writes nothing", arguments: [
        ("PUT", "/api/v1/visits", "GET, HEAD, POST", #""code" : "method_not_allowed""#),
        ("DELETE", "/api/v1/cases/2026-000001", "GET, HEAD", #""message" : "/api/v1/cases/2026-000001 does not take DELETE: it takes GET, HEAD""#),
        ("PATCH", "/api/v1/households/H1", "GET, HEAD", #""code" : "method_not_allowed""#),
        ("POST", "/api/v1/risks/1", "GET, HEAD, PATCH", #""code" : "method_not_allowed""#),
        ("HEAD", "/api/v1/login-codes", "POST", ""),
        ("OPTIONS", "/healthz", "GET, HEAD", #""code" : "method_not_allowed""#),
        ("TRACE", "/open311/v2/services.json", "GET, HEAD",
         #"[{"code":405,"description":"/open311/v2/services.json does not take TRACE: it takes GET, HEAD"}]"#),
        ("POST", "/open311/v2/services/land.xml", "GET, HEAD", "<code>405</code>"),
        ("DELETE", "/open311/v2/requests.xml", "GET, HEAD, POST", "<code>405</code>"),
    ])
    func methodNotAllowed(method: String, uri: String, allow: String, body: String) async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let before = try await writtenRows(database)
        try await app.test(.router) { client in
            try await client.execute(uri: uri, method: HTTPRequest.Method(method)!, headers: [.authorization: "Bearer \(tokens["P1"]!)"],
                                     body: ByteBuffer(string: #"{"title": "x"}"#)) { response in
                #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                #expect(response.headers[.allow] == allow, "\(method) \(uri)")
                // HEAD: no body at all.
                let text = String(buffer: response.body)
                #expect(body.isEmpty ? text.isEmpty : text.contains(body), "\(method) \(uri): \(text)")
            }
        }
        #expect(try await writtenRows(database) == before)
    }

    @Test("a path the API does not describe is still 404, and a method it takes still works")
    func notFoundStaysNotFound() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let headers: HTTPFields = [.authorization: "Bearer \(tokens["P1"]!)"]
            for (method, uri, status) in [(HTTPRequest.Method.put, "/api/v1/nothing", HTTPResponse.Status.notFound),
                                          (.delete, "/api/v1/units/G1/nothing", .notFound), (.get, "/api/v1/cases/2026-999999", .notFound),
                                          (.get, "/healthz", .ok), (.get, "/api/v1/me", .ok)] {
                try await client.execute(uri: uri, method: method, headers: headers) { response in
                    #expect(response.status == status, "\(method) \(uri)")
                    #expect(response.headers[.allow] == nil, "\(method) \(uri)")
                }
            }
        }
    }

    @Test("HEAD of an /api/v1 route still needs a token: 401 without one, and no body")
    func headNeedsToken() async throws {
        let (database, _) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/me", method: .head) { response in
                #expect(response.status == .unauthorized)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test("the Authorization scheme is read in any case, for the API and for Open311's key; another scheme is no token")
    func schemeCase() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let staff = tokens["P3"]!
        try await app.test(.router) { client in
            for header in ["bearer \(staff)", "BEARER \(staff)", "Bearer  \(staff) ", "bEaReR\t\(staff)"] {
                let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: header]) { response in
                    Reply(status: response.status, text: String(buffer: response.body))
                }
                #expect(me.status == .ok, "\(header)")
                #expect(me["id"] as? String == "P3", "\(header)")
            }
            for header in ["Basic \(staff)", "Bearer", "bearer ", "Bearer\(staff)", "Token \(staff)"] {
                try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: header]) { response in
                    #expect(response.status == .unauthorized, "\(header)")
                }
            }
            // Open311: a lower-case bearer files a request and reads it whole.
            let filed = try await client.execute(uri: "/open311/v2/requests.json", method: .post,
                                                 headers: [.authorization: "bearer \(staff)", .contentType: "application/x-www-form-urlencoded"],
                                                 body: ByteBuffer(string: form([("service_code", "land"), ("address_id", "V1"), ("description", "界址")]))) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(filed.0 == .created, "\(filed.1)")
            let read = try await client.execute(uri: "/open311/v2/requests/2026-000001.json", method: .get,
                                                headers: [.authorization: "BEARER \(staff)"]) { String(buffer: $0.body) }
            #expect(read.contains(#""description":"界址""#))
        }
        #expect(try await database.cases().items.map(\.source) == [.open311])
    }

    /// The rows of every table a request could write.
    private func writtenRows(_ database: AppDatabase) async throws -> [Int] {
        try await database.read { db in
            try ["visits", "risks", "cases", "case_ledger", "open311_requests", "events", "audit_log", "login_codes", "sessions"].map { table in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1
            }
        }
    }
}
