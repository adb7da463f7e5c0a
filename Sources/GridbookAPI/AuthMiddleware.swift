import GRDB
import GridbookCore
import HTTPTypes
import Hummingbird

/// Checks the caller of every `/api/v1` request: `Authorization: Bearer TOKEN`, or a browser
/// session's cookie (``SessionCookie``). A missing, unknown, revoked or expired token or session
/// answers 401; a write from a session without its CSRF token, or from another site's page,
/// answers 403. Otherwise the caller goes into the context.
package struct AuthMiddleware: RouterMiddleware {
    package typealias Context = GridbookRequestContext
    let database: AppDatabase
    /// Callers by token hash, sessions by cookie hash, and units' chains of ancestors, for
    /// `cacheLifetime`: a revoked token or session, a changed duty or a moved unit takes effect
    /// within that time.
    let callers: ShortCache<String, Caller>
    let sessions: ShortCache<String, SessionCaller>
    let chains: ShortCache<String, [String]>

    package init(database: AppDatabase, cacheLifetime: Duration) {
        self.database = database
        callers = ShortCache(lifetime: cacheLifetime)
        sessions = ShortCache(lifetime: cacheLifetime)
        chains = ShortCache(lifetime: cacheLifetime)
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller: Caller
        if let header = request.headers[.authorization] {
            guard let token = BearerToken.token(in: header) else {
                throw APIError(.unauthorized, code: "unauthorized", message: "missing token: send Authorization: Bearer TOKEN")
            }
            guard let found = try await callers.value(for: APIToken.hash(of: token), load: { try await database.authenticate(token: token) }) else {
                throw APIError(.unauthorized, code: "unauthorized", message: "unknown, revoked or expired token")
            }
            caller = found
        } else if let secret = request.cookies[SessionCookie.name]?.value, !secret.isEmpty {
            guard let session = try await sessions.value(for: BrowserSession.hash(of: secret),
                                                         load: { try await database.authenticate(session: secret) })
            else {
                throw APIError(.unauthorized, code: "unauthorized", message: "your session has ended: sign in again")
            }
            if !request.method.isSafe { try SessionCookie.checkWrite(request, csrf: session.csrf) }
            caller = session.caller
        } else {
            throw APIError(.unauthorized, code: "unauthorized", message: "missing token: send Authorization: Bearer TOKEN")
        }
        var context = context
        context.caller = caller
        context.scope = Scope(database: database, caller: caller, chains: chains)
        context.trace.personId = caller.person.id
        var response = try await next(request, context)
        // Answers hold personal data: no browser or proxy keeps a copy (the field app keeps what
        // it needs offline itself).
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// The one reading of an `Authorization` header: the API's and Open311's tokens both come
/// through here.
package enum BearerToken {
    /// The token of `Bearer TOKEN`, the scheme in any case (`bearer`, `BEARER`: schemes are
    /// case-insensitive, RFC 9110 section 11.1), spaces around the token dropped; nil for
    /// another scheme or no token.
    package static func token(in header: String) -> String? {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard let gap = text.firstIndex(where: { $0 == " " || $0 == "\t" }), text[..<gap].lowercased() == "bearer" else { return nil }
        let token = text[gap...].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// The browser session's cookies: `gb_session` (HttpOnly, the credential) and `gb_csrf` (read by
/// the pages' scripts and sent back in the `X-CSRF-Token` header of every write).
package enum SessionCookie {
    package static let name = "gb_session"
    package static let csrfName = "gb_csrf"

    /// A write from a session must carry the session's CSRF token and come from a page of this
    /// server (its `Origin` names the host the request was sent to); otherwise 403.
    package static func checkWrite(_ request: Request, csrf: String) throws {
        guard let sent = request.headers[.csrfToken], constantTimeEqual(sent, csrf) else {
            throw APIError(.forbidden, code: "csrf",
                           message: "a write from a signed-in browser must send the X-CSRF-Token header (the gb_csrf cookie's value)")
        }
        try checkOrigin(request, required: true)
    }

    /// 403 when `Origin` names another site than the one the request was sent to (`Host`); a
    /// request without `Origin` passes only when `required` is false.
    package static func checkOrigin(_ request: Request, required: Bool) throws {
        guard let origin = request.headers[.origin] else {
            if required { throw APIError(.forbidden, code: "origin", message: "a write from a signed-in browser must carry an Origin header") }
            return
        }
        let host = origin.range(of: "://").map { String(origin[$0.upperBound...]) } ?? ""
        guard let authority = request.head.authority, !host.isEmpty, host.lowercased() == authority.lowercased() else {
            throw APIError(.forbidden, code: "origin", message: "this request came from another site's page (Origin \(origin))")
        }
    }

    /// Whether two strings are equal, in a time that does not depend on where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension HTTPRequest.Method {
    /// Methods that change nothing (no CSRF token needed).
    var isSafe: Bool { self == .get || self == .head || self == .options }
}

/// Where the caller may look: a unit is in scope when it or one of its ancestors is a unit of
/// the caller's active duties (county admins see everything). Chains of ancestors are cached
/// for a few seconds, since every request checks one.
package struct Scope: Sendable {
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

    /// Whether the caller may see a unit, given the unit and its ancestors (in any order).
    package func allows(chain: [String]) -> Bool {
        caller.sees(chain: chain)
    }

    private func check(_ unitCode: String, _ chain: [String]?) throws -> String {
        guard let chain else { throw GridbookError.notFound("unit \(unitCode)") }
        guard allows(chain: chain) else {
            // The same answer wherever the record sits: it says nothing of where that is.
            throw APIError(.forbidden, code: "forbidden", message: "this is outside your units")
        }
        return unitCode
    }
}
