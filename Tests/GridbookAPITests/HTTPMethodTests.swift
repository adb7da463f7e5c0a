import Foundation
import GridbookAPI
import GridbookCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// HTTP's own rules every route keeps: HEAD wherever GET works, the `Authorization` scheme in
/// any case.
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
}
