import Foundation
import GridbookAPI
import GridbookCore
import HTTPTypes
import Hummingbird

/// How the pages are served.
public struct WebOptions: Sendable {
    /// Mark the session cookie `Secure` (a deployment behind TLS: `serve --secure-cookies`).
    public var secureCookies = false
    /// Days a session lasts.
    public var sessionDays = BrowserSession.defaultDays
    /// Serve the static files from this folder (holding `app/` and `site/`) instead of the
    /// embedded copies: for working on the pages without rebuilding.
    public var directory: String?

    /// The files built into the executable, by path under Resources (`app/app.js`).
    public static var embeddedFiles: Set<String> { Set(WebAssets.embedded.keys) }

    /// The size in bytes of a built-in file, or nil.
    public static func embeddedSize(_ path: String) -> Int? { WebAssets.embedded[path]?.count }

    public init(secureCookies: Bool = false, sessionDays: Int = BrowserSession.defaultDays, directory: String? = nil) {
        self.secureCookies = secureCookies
        self.sessionDays = sessionDays
        self.directory = directory
    }
}

/// The whole server's router: the JSON API (``buildRouter(database:cacheLifetime:)``) and the
/// pages (SPEC section 7): the field app at `/app/`, the sign-in page at `/login`, the desk at
/// `/desk/`, sign-in and sign-out at `/auth/`.
public func buildGridbookRouter(database: AppDatabase, cacheLifetime: Duration = .zero, web: WebOptions = WebOptions()) -> Router<GridbookRequestContext> {
    let router = buildRouter(database: database, cacheLifetime: cacheLifetime)
    let assets = WebAssets(directory: web.directory)
    let auth = AuthMiddleware(database: database, cacheLifetime: cacheLifetime)

    router.get("/") { request, _ in
        // Signed in: to the app or the desk by role; otherwise to the sign-in page.
        guard let secret = request.cookies[SessionCookie.name]?.value,
              let session = try await database.authenticate(session: secret)
        else { return Response.redirect(to: "/login", type: .found) }
        return Response.redirect(to: SignIn.home(of: session.caller), type: .found)
    }
    // The files answer GET and HEAD alike.
    for method in [HTTPRequest.Method.get, .head] {
        router.on("login", method: method) { request, _ in try await assets.response("site/login.html", request: request) }
        router.on("static/:file", method: method) { request, context in
            try await assets.response("site/" + context.parameters.require("file"), request: request)
        }
        router.on("app", method: method) { request, _ in
            // The router takes /app and /app/ for one path; the service worker's scope is /app/.
            guard request.uri.path.hasSuffix("/") else { return Response.redirect(to: "/app/", type: .permanent) }
            return try await assets.response("app/index.html", request: request)
        }
        router.on("app/:file", method: method) { request, context in
            try await assets.response("app/" + context.parameters.require("file"), request: request)
        }
    }
    SignIn(database: database, options: web).addRoutes(to: router.group("auth"))
    let desk = router.group("desk")
        .add(middleware: PageMiddleware())
        .add(middleware: auth)
        .group(context: AuthenticatedContext.self)
    DeskController(database: database).addRoutes(to: desk)
    return router
}

/// `POST /auth/login` and `POST /auth/logout`: a person id and a one-time code give a session
/// cookie; signing out revokes it.
struct SignIn {
    let database: AppDatabase
    let options: WebOptions

    /// The sign-in form's body.
    struct Body: Decodable {
        var personId: String
        var code: String
    }

    /// Who signed in, where their pages are, and the CSRF token their writes must send.
    struct Answer: ResponseEncodable {
        struct Person: Encodable { var id, name: String }
        var person: Person
        var roles: [Role]
        var scopeUnits: [UnitSummary]
        var home: String
        var csrfToken: String
    }

    func addRoutes(to group: RouterGroup<GridbookRequestContext>) {
        group.post("login", use: login)
        group.post("logout", use: logout)
    }

    /// Grid members and block heads start on the field app; people who handle cases at the desk.
    static func home(of caller: Caller) -> String {
        caller.may(.handleCases) ? "/desk/" : "/app/"
    }

    /// Signs in: 200 with the cookies; 401 for a wrong, spent, expired or locked code, or a person
    /// id nobody has (the same refusal as a person with no code: an answer never says which ids
    /// exist). A person id is taken in any letter case when only one person's id matches it so.
    @Sendable func login(_ request: Request, context: GridbookRequestContext) async throws -> Response {
        try SessionCookie.checkOrigin(request, required: false)
        let body = try await request.decodeJSON(Body.self, context: context)
        try RecordCode.check(body.personId, field: "person_id")
        let code = body.code.filter { !$0.isWhitespace }
        guard code.count == 8, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else {
            throw GridbookError.invalid(field: "code", problem: "is 8 digits")
        }
        let opened: OpenedSession
        do {
            opened = try await database.signIn(person: body.personId, code: code, userAgent: request.headers[.userAgent] ?? "",
                                               days: options.sessionDays)
        } catch let refusal as SignInRefusal {
            throw APIError(.unauthorized, code: refusal.code, message: refusal.description)
        }
        context.trace.personId = opened.caller.person.id
        var units: [UnitSummary] = []
        for code in opened.caller.scopeUnits { units.append(UnitSummary(try await database.unit(code: code))) }
        let answer = Answer(person: .init(id: opened.caller.person.id, name: opened.caller.person.name), roles: opened.caller.roles,
                            scopeUnits: units, home: Self.home(of: opened.caller), csrfToken: opened.record.csrf)
        var response = try context.responseEncoder.encode(answer, from: request, context: context)
        let maxAge = options.sessionDays * 86_400
        response.setCookie(Cookie(name: SessionCookie.name, value: opened.secret, maxAge: maxAge, path: "/",
                                  secure: options.secureCookies, httpOnly: true, sameSite: .strict))
        response.setCookie(Cookie(name: SessionCookie.csrfName, value: opened.record.csrf, maxAge: maxAge, path: "/",
                                  secure: options.secureCookies, httpOnly: false, sameSite: .strict))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// Signs out: the session is revoked and its cookies cleared (204). Needs the CSRF token.
    @Sendable func logout(_ request: Request, context: GridbookRequestContext) async throws -> Response {
        if let secret = request.cookies[SessionCookie.name]?.value, let session = try await database.authenticate(session: secret) {
            try SessionCookie.checkWrite(request, csrf: session.csrf)
            try await database.revokeSession(id: session.sessionId, by: .person(session.caller.person.id))
        }
        var response = Response(status: .noContent)
        for name in [SessionCookie.name, SessionCookie.csrfName] {
            response.setCookie(Cookie(name: name, value: "", maxAge: 0, path: "/", secure: options.secureCookies,
                                      httpOnly: name == SessionCookie.name, sameSite: .strict))
        }
        return response
    }
}
