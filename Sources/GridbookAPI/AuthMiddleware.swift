import GRDB
import GridbookCore
import Hummingbird

/// Checks `Authorization: Bearer TOKEN` on every `/api/v1` request: a missing, unknown, revoked
/// or expired token answers 401; otherwise the caller goes into the context.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GridbookRequestContext
    let database: AppDatabase
    /// Callers by token hash, and units' chains of ancestors, for `cacheLifetime`: a revoked
    /// token, a changed duty or a moved unit takes effect within that time.
    let callers: ShortCache<String, Caller>
    let chains: ShortCache<String, [String]>

    init(database: AppDatabase, cacheLifetime: Duration) {
        self.database = database
        callers = ShortCache(lifetime: cacheLifetime)
        chains = ShortCache(lifetime: cacheLifetime)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              case let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces), !token.isEmpty
        else {
            throw APIError(.unauthorized, code: "unauthorized", message: "missing token: send Authorization: Bearer TOKEN")
        }
        guard let caller = try await callers.value(for: APIToken.hash(of: token), load: { try await database.authenticate(token: token) }) else {
            throw APIError(.unauthorized, code: "unauthorized", message: "unknown, revoked or expired token")
        }
        var context = context
        context.caller = caller
        context.scope = Scope(database: database, caller: caller, chains: chains)
        context.trace.personId = caller.person.id
        return try await next(request, context)
    }
}

/// Where the caller may look: a unit is in scope when it or one of its ancestors is a unit of
/// the caller's active duties (county admins see everything). Chains of ancestors are cached
/// for a few seconds, since every request checks one.
struct Scope: Sendable {
    let database: AppDatabase
    let caller: Caller
    let chains: ShortCache<String, [String]>

    /// The unit's code once checked: 404 when unknown, 403 when outside the caller's units.
    @discardableResult
    func require(_ unitCode: String) async throws -> String {
        let chain = try await chains.value(for: unitCode) {
            let chain = try await database.read { db in try Hierarchy.chain(db, of: unitCode) }
            return chain.isEmpty ? nil : chain
        }
        return try check(unitCode, chain)
    }

    /// ``require(_:)`` on the connection of a transaction under way (a visit being logged).
    @discardableResult
    func require(_ unitCode: String, in db: Database) throws -> String {
        let chain = try chains.value(for: unitCode) {
            let chain = try Hierarchy.chain(db, of: unitCode)
            return chain.isEmpty ? nil : chain
        }
        return try check(unitCode, chain)
    }

    private func check(_ unitCode: String, _ chain: [String]?) throws -> String {
        guard let chain else { throw GridbookError.notFound("unit \(unitCode)") }
        guard caller.roles.contains(.countyAdmin) || chain.contains(where: caller.scopeUnits.contains) else {
            // The same answer wherever the record sits: it says nothing of where that is.
            throw APIError(.forbidden, code: "forbidden", message: "this is outside your units")
        }
        return unitCode
    }
}
