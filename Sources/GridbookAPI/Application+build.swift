import GridbookCore
import Hummingbird
import Logging

/// How long a running server keeps a caller (behind a token) and a unit's ancestors before
/// reading them again: a revoked token or a moved unit takes effect within this time.
public let serverCacheSeconds = 2

/// How often a running server asks SQLite whether another process committed (a command-line
/// import or visit beside it): kept answers such as due pages see such a write within this time,
/// and this server's own writes at once.
public let serverWatchInterval = Duration.milliseconds(50)

/// Builds the API server over a database (SPEC section 6).
public func buildApplication(database: AppDatabase, host: String = "127.0.0.1", port: Int = 8080,
                             logger: Logger = Logger(label: "gridbook.api")) -> some ApplicationProtocol {
    Application(
        router: buildRouter(database: database, cacheLifetime: .seconds(serverCacheSeconds)),
        configuration: .init(address: .hostname(host, port: port), serverName: "gridbook"),
        logger: logger
    )
}

/// The router: `/healthz`, `/openapi.yaml`, and every `/api/v1` route behind the token check.
/// Callers and unit chains are cached for `cacheLifetime` (none by default): with a lifetime,
/// a revoked token or a moved unit takes effect on a running server within it.
public func buildRouter(database: AppDatabase, cacheLifetime: Duration = .zero) -> Router<GridbookRequestContext> {
    let router = Router(context: GridbookRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.get("healthz") { _, _ in TextResponse.text("ok\n", contentType: "text/plain; charset=utf-8") }
    router.get("openapi.yaml") { _, _ in TextResponse.text(OpenAPIDocument.yaml, contentType: "application/yaml; charset=utf-8") }
    let api = router.group("api/v1")
        .add(middleware: AuthMiddleware(database: database, cacheLifetime: cacheLifetime))
        .group(context: AuthenticatedContext.self)
    MeController(database: database).addRoutes(to: api)
    UnitController(database: database).addRoutes(to: api)
    VisitController(database: database).addRoutes(to: api)
    ReportController(database: database, cacheLifetime: cacheLifetime).addRoutes(to: api)
    EventController(database: database).addRoutes(to: api)
    RiskCaseController(database: database).addRoutes(to: api)
    return router
}
