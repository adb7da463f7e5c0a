import GridbookCore
import Hummingbird

/// The context of one API request: who is calling, once their token has been checked.
public struct GridbookRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; set by ``AuthMiddleware`` for every `/api/v1` route.
    public var caller: Caller?
    /// The caller's scope, set with the caller.
    var scope: Scope?
    /// Shared with the request log, which reports the caller once the request is answered.
    public let trace = RequestTrace()

    public init(source: Source) {
        coreContext = .init(source: source)
        caller = nil
    }

    /// Bodies over 1 MB answer 413.
    public var maxUploadSize: Int { 1_048_576 }

    /// The caller, or 401 when the route was reached without one.
    func requireCaller() throws -> Caller {
        guard let caller else { throw APIError(.unauthorized, code: "unauthorized", message: "a valid token is required") }
        return caller
    }

    /// 404 for an unknown unit, 403 for one outside the caller's units; the code otherwise.
    @discardableResult
    func requireScope(_ unitCode: String) async throws -> String {
        try await requireScopeCheck().require(unitCode)
    }

    /// The caller's scope, or 401 when the route was reached without a caller.
    func requireScopeCheck() throws -> Scope {
        guard let scope else { throw APIError(.unauthorized, code: "unauthorized", message: "a valid token is required") }
        return scope
    }

    /// The caller when their roles carry the permission; 403 naming who may otherwise.
    func require(_ permission: Permission) throws -> Caller {
        let caller = try requireCaller()
        guard caller.may(permission) else {
            throw APIError(.forbidden, code: "forbidden", message: "only \(permission.holders) may do this")
        }
        return caller
    }
}
