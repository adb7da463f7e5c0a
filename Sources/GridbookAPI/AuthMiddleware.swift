import GridbookCore
import Hummingbird

/// Checks `Authorization: Bearer TOKEN` on every `/api/v1` request: a missing, unknown, revoked
/// or expired token answers 401; otherwise the caller goes into the context.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GridbookRequestContext
    let database: AppDatabase

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              case let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces), !token.isEmpty
        else {
            throw APIError(.unauthorized, code: "unauthorized", message: "missing token: send Authorization: Bearer TOKEN")
        }
        guard let caller = try database.authenticate(token: token) else {
            throw APIError(.unauthorized, code: "unauthorized", message: "unknown, revoked or expired token")
        }
        var context = context
        context.caller = caller
        context.trace.personId = caller.person.id
        return try await next(request, context)
    }
}

extension AppDatabase {
    /// Whether a unit is at or under one of the caller's units (county admins see everything).
    func isInScope(_ unitCode: String, for caller: Caller) throws -> Bool {
        if caller.roles.contains(.countyAdmin) { return true }
        // The unit and its ancestors only: the detail's children are not needed here.
        let unit = try self.unit(code: unitCode)
        let chain = [unitCode] + (try read { db in try Hierarchy.ancestors(db, of: unit) }.map(\.code))
        return chain.contains(where: caller.scopeUnits.contains)
    }

    /// The unit's code once checked: 404 when unknown, 403 when outside the caller's units.
    func scopedUnit(_ unitCode: String, for caller: Caller) throws -> String {
        _ = try unit(code: unitCode)
        try requireScope(unitCode, for: caller)
        return unitCode
    }

    /// 403 for a unit outside the caller's units.
    func requireScope(_ unitCode: String, for caller: Caller) throws {
        guard try isInScope(unitCode, for: caller) else {
            throw APIError(.forbidden, code: "forbidden", message: "unit \(unitCode) is outside your units")
        }
    }
}
