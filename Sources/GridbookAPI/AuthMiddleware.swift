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
        guard let caller = try callers.value(for: APIToken.hash(of: token), load: { try database.authenticate(token: token) }) else {
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

    /// Whether a unit is in scope; 404 when it is unknown. `db`, when given, is the connection
    /// of a transaction under way, read instead of a new one.
    func contains(_ unitCode: String, in db: Database? = nil) throws -> Bool {
        let chain = try chains.value(for: unitCode) {
            let chain = try db.map { try Hierarchy.chain($0, of: unitCode) } ?? database.read { db in try Hierarchy.chain(db, of: unitCode) }
            return chain.isEmpty ? nil : chain
        }
        guard let chain else { throw GridbookError.notFound("unit \(unitCode)") }
        return caller.roles.contains(.countyAdmin) || chain.contains(where: caller.scopeUnits.contains)
    }

    /// The unit's code once checked: 404 when unknown, 403 when outside the caller's units.
    @discardableResult
    func require(_ unitCode: String, in db: Database? = nil) throws -> String {
        guard try contains(unitCode, in: db) else {
            throw APIError(.forbidden, code: "forbidden", message: "unit \(unitCode) is outside your units")
        }
        return unitCode
    }
}
