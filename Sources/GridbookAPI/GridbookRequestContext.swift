import Foundation
import GridbookCore
import Hummingbird

/// The context of one request as it arrives: before the token check, the caller is not known.
public struct GridbookRequestContext: GridbookContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller, set by ``AuthMiddleware`` on `/api/v1` routes; ``AuthenticatedContext`` carries it on.
    package var caller: Caller?
    /// The caller's scope, set with the caller.
    var scope: Scope?
    /// Shared with the request log, which reports the caller once the request is answered.
    public let trace = RequestTrace()

    public init(source: Source) {
        coreContext = .init(source: source)
        caller = nil
    }
}

/// The context of an `/api/v1` request once its token is checked: the caller and their scope,
/// never missing (a route reached without them answers 401 before its handler runs).
public struct AuthenticatedContext: ChildRequestContext, GridbookContext {
    public var coreContext: CoreRequestContextStorage
    /// Who is calling.
    public let caller: Caller
    /// Where the caller may look.
    package let scope: Scope

    /// The caller from the parent context; 401 when the token check did not set one.
    public init(context: GridbookRequestContext) throws {
        guard let caller = context.caller, let scope = context.scope else {
            throw APIError(.unauthorized, code: "unauthorized", message: "a valid token is required")
        }
        coreContext = context.coreContext
        self.caller = caller
        self.scope = scope
    }

    /// 404 for an unknown unit, 403 for one outside the caller's units; the code otherwise.
    @discardableResult
    package func requireScope(_ unitCode: String) async throws -> String {
        try await scope.require(unitCode)
    }

    /// The caller when their roles carry the permission; 403 naming who may otherwise.
    package func require(_ permission: Permission) throws -> Caller {
        guard caller.may(permission) else {
            throw APIError(.forbidden, code: "forbidden", message: "only \(permission.holders) may do this")
        }
        return caller
    }
}

/// What every Gridbook request context shares: the upload limit and the one JSON encoding.
public protocol GridbookContext: RequestContext {}

extension GridbookContext {
    /// Bodies over 1 MB answer 413.
    public var maxUploadSize: Int { 1_048_576 }

    /// Gridbook's one JSON encoding, the one `--format json` prints.
    public var responseEncoder: GridbookJSONEncoder { GridbookJSONEncoder() }
}

/// Answers a handler's value as ``JSONOutput`` encodes it, `application/json; charset=utf-8`.
public struct GridbookJSONEncoder: ResponseEncoder {
    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        Self.response(ByteBuffer(bytes: try JSONOutput.bytes(value)))
    }

    /// The 200 answer whose body is `json`, already encoded (a due page kept in memory).
    static func response(_ json: ByteBuffer) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(json.readableBytes)],
            body: .init(byteBuffer: json)
        )
    }
}
