import Foundation
@testable import GridbookAPI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Testing

/// The operations (`METHOD /path`) the document's `paths` lists, read from its YAML layout:
/// a path is indented two spaces under `paths:`, its methods four.
func documentedOperations(_ yaml: String) -> Set<String> {
    var operations: Set<String> = []
    var inPaths = false
    var path: String?
    for line in yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
        if !line.hasPrefix(" "), !line.isEmpty { inPaths = line == "paths:"; continue }
        guard inPaths else { continue }
        if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
            path = String(line.dropFirst(2).dropLast())
        } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
            let method = line.trimmingCharacters(in: .whitespaces).dropLast()
            if ["get", "post", "put", "patch", "delete"].contains(method) { operations.insert("\(method.uppercased()) \(path)") }
        }
    }
    return operations
}

/// The document as it is on disk, in the API target's resources.
func openAPIFile() throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try String(contentsOf: root.appendingPathComponent("Sources/GridbookAPI/Resources/openapi.yaml"), encoding: .utf8)
}

@Suite("The OpenAPI document")
struct OpenAPITests {
    @Test("it lists exactly the routes the router has, and no other")
    func everyRoute() async throws {
        let (database, _) = try await apiDatabase()
        let routes = Set(buildRouter(database: database).routes.map { "\($0.method) \($0.path.description)" })
        // Open311's resources are documented by name in their .json form (`services.json`,
        // `services/{service_code}.json`); the router takes the name and format as one parameter.
        let documented = Set(documentedOperations(try openAPIFile()).map { operation in
            guard let range = operation.range(of: " /open311/v2/") else { return operation }
            let segments = operation[range.upperBound...].split(separator: "/")
            let route = segments.count == 1 ? "{resource}" : "\(segments[0])/{file}"
            return String(operation[..<range.upperBound]) + route
        })
        #expect(routes.count == 31)
        #expect(routes.subtracting(documented).sorted() == [])
        #expect(documented.subtracting(routes).sorted() == [])
    }

    @Test("the reader finds operations in a small document, so the check above can fail")
    func readerWorks() {
        let yaml = "openapi: 3.1.0\npaths:\n  /a/{id}:\n    get:\n      summary: x\n    patch:\n      summary: y\n  /b:\n    post:\n      responses:\n        get:\ncomponents:\n  /c:\n    get:\n"
        #expect(documentedOperations(yaml) == ["GET /a/{id}", "PATCH /a/{id}", "POST /b"])
    }

    @Test("GET /openapi.yaml serves it without a token, as OpenAPI 3.1")
    func served() async throws {
        let (database, _) = try await apiDatabase()
        let file = try openAPIFile()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml; charset=utf-8")
                #expect(String(buffer: response.body) == file)
                #expect(String(buffer: response.body).hasPrefix("openapi: 3.1.0\n"))
            }
        }
    }
}
