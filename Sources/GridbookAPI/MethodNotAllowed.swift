import HTTPTypes
import Hummingbird

/// The methods each path of the OpenAPI document takes, read from the document itself (the one
/// description of the API's routes, served at `/openapi.yaml`): a path it describes answers any
/// other method 405 with `Allow`, as HTTP asks, not 404 as if the path were not there.
struct DocumentedMethods: Sendable {
    /// One part of a path between slashes: as written, or `{name}` with what stands around it
    /// (`{service_code}.json`).
    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(prefix: String, suffix: String)

        func matches(_ part: Substring) -> Bool {
            switch self {
            case .literal(let text): part == text
            case .parameter(let prefix, let suffix):
                part.count > prefix.count + suffix.count && part.hasPrefix(prefix) && part.hasSuffix(suffix)
            }
        }
    }

    private let paths: [(segments: [Segment], methods: [HTTPRequest.Method])]

    /// The paths and methods under `paths:` in `yaml`: a path is a key indented two spaces that
    /// starts with `/`, a method a key indented four under it.
    init(openAPI yaml: String) {
        var paths: [(segments: [Segment], methods: [HTTPRequest.Method])] = []
        var inPaths = false
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty {
                inPaths = line.hasPrefix("paths:")
                continue
            }
            guard inPaths, line.hasSuffix(":") else { continue }
            let key = line.dropLast().drop { $0 == " " }
            let indent = line.count - key.count - 1
            if indent == 2, key.hasPrefix("/") {
                paths.append((key.split(separator: "/").map(Self.segment), []))
            } else if indent == 4, !paths.isEmpty, let method = HTTPRequest.Method(key.uppercased()) {
                paths[paths.count - 1].methods.append(method)
            }
        }
        self.paths = paths
    }

    private static func segment(_ text: Substring) -> Segment {
        guard let open = text.firstIndex(of: "{"), let close = text[open...].firstIndex(of: "}") else {
            return .literal(String(text))
        }
        return .parameter(prefix: String(text[..<open]), suffix: String(text[text.index(after: close)...]))
    }

    /// The methods `path` takes (HEAD wherever GET is), sorted; nil when the document does not
    /// describe the path.
    func methods(forPath path: String) -> [HTTPRequest.Method]? {
        let parts = path.split(separator: "/")
        guard let found = paths.first(where: { route in
            route.segments.count == parts.count && zip(route.segments, parts).allSatisfy { $0.matches($1) }
        }) else { return nil }
        var methods = found.methods
        if methods.contains(.get) && !methods.contains(.head) { methods.append(.head) }
        return methods.sorted { $0.rawValue < $1.rawValue }
    }
}

/// Turns the router's 404 for a method a documented path does not take into 405 with `Allow`
/// (the path's methods), in the error format of the path's API (GeoReport v2's under
/// `/open311/`). The router decides first: only a request it found nothing for is looked up in
/// the document, so routed requests cost nothing more.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = GridbookRequestContext

    static let documented = DocumentedMethods(openAPI: OpenAPIDocument.yaml)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            // GeoReport v2's errors are answered, not thrown (Open311ErrorMiddleware).
            guard response.status == .notFound, let refusal = try refusal(request, context) else { return response }
            return refusal
        } catch let error as any HTTPResponseError where error.status == .notFound {
            guard let refusal = try refusal(request, context) else { throw error }
            return refusal
        }
    }

    /// The 405 for `request` when its path is documented without its method; nil otherwise (a
    /// path the document does not describe, or a record a documented method did not find).
    private func refusal(_ request: Request, _ context: Context) throws -> Response? {
        let path = request.uri.path
        // GeoReport v2 serves every resource as .xml too; the document describes the .json form.
        let described = path.hasPrefix("/open311/") && path.hasSuffix(".xml") ? path.dropLast(4) + ".json" : path
        guard let methods = Self.documented.methods(forPath: described), !methods.contains(request.method) else { return nil }
        let allow = methods.map(\.rawValue).joined(separator: ", ")
        let message = "\(path) does not take \(request.method.rawValue): it takes \(allow)"
        var response = if path.hasPrefix("/open311/") {
            Open311Error(.methodNotAllowed, message).response(Open311ErrorMiddleware.format(of: request))
        } else {
            try APIError(.methodNotAllowed, code: "method_not_allowed", message: message).response(from: request, context: context)
        }
        response.headers[.allow] = allow
        return response
    }
}
