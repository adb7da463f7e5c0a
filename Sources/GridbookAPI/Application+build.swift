import GridbookCore
import Hummingbird
import HummingbirdCore
import Logging

/// How long a running server keeps a caller (behind a token) and a unit's ancestors before
/// reading them again: a revoked token or a moved unit takes effect within this time.
public let serverCacheSeconds = 2

/// How often a running server asks SQLite whether another process committed (a command-line
/// import or visit beside it): kept answers such as due pages see such a write within this time,
/// and this server's own writes at once.
public let serverWatchInterval = Duration.milliseconds(50)

/// How a server treats its connections (each has a default a county can run with).
public struct ConnectionLimits: Sendable {
    /// A connection with nothing read or written for this long is closed: a client gone quiet, or
    /// one that sent half a request header or body and stopped.
    public var idleTimeout: Duration = .seconds(30)
    /// Connections served at once; past it, a new one is answered 503 `too_many_connections`
    /// with `Retry-After` and closed (``CappedHTTP1Channel``).
    public var maxConnections = 10_000

    public init(idleTimeout: Duration = .seconds(30), maxConnections: Int = 10_000) {
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }
}

/// Builds the API server over a database (SPEC section 6).
/// `router` defaults to the API's alone; `gridbook serve` passes the one with the pages too.
public func buildApplication(database: AppDatabase, router: Router<GridbookRequestContext>? = nil, host: String = "127.0.0.1", port: Int = 8080,
                             limits: ConnectionLimits = ConnectionLimits(),
                             logger: Logger = Logger(label: "gridbook.api")) -> some ApplicationProtocol {
    let (seconds, attoseconds) = limits.idleTimeout.components
    return Application(
        router: router ?? buildRouter(database: database, cacheLifetime: .seconds(serverCacheSeconds)),
        server: HTTPServerBuilder { responder in
            CappedHTTP1Channel(
                inner: HTTP1Channel(responder: responder,
                                    configuration: .init(idleTimeout: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))),
                maxConnections: limits.maxConnections)
        },
        // A backlog of 4,096 (Linux's usual cap, somaxconn): a burst of new connections waits in
        // the kernel's queue while the server accepts, instead of its SYNs being dropped and
        // retried a second later (with 256, one connect in 400 of a burst of 3,000 took 1 s).
        configuration: .init(address: .hostname(host, port: port), serverName: "gridbook", backlog: 4096,
                             availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections + CappedHTTP1Channel.refusalRoom)),
        logger: logger
    )
}

/// The router: `/healthz`, `/openapi.yaml`, and every `/api/v1` route behind the token check;
/// every GET route answers HEAD too.
/// Callers and unit chains are cached for `cacheLifetime` (none by default): with a lifetime,
/// a revoked token or a moved unit takes effect on a running server within it.
public func buildRouter(database: AppDatabase, cacheLifetime: Duration = .zero) -> Router<GridbookRequestContext> {
    // HEAD wherever GET works: the router answers it with the GET route, HeadMiddleware drops the body.
    let router = Router(context: GridbookRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: HeadMiddleware())
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    // Before the 405s: a browser's OPTIONS preflight to /open311/ is answered, not refused.
    router.add(middleware: Open311CORSMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: WebhookLoopGuardMiddleware())
    router.add(middleware: Open311ErrorMiddleware())
    router.add(middleware: NULInAddressMiddleware())
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
    Open311Controller(database: database).addRoutes(to: router)
    return router
}
