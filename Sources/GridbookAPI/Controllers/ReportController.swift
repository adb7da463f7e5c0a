import GridbookCore
import Hummingbird

/// The due list and the reports, each the same JSON the CLI prints with `--format json`.
struct ReportController {
    let database: AppDatabase
    /// Due pages as last answered, encoded, by the database's generation and the page asked for:
    /// grid members open the same list again and again, and while nothing is written it is the
    /// same list. Any commit of this server moves the generation at once; another process's,
    /// within ``serverWatchInterval``; an entry lives at most the cache lifetime (a new day).
    let duePages: ShortCache<DuePageKey, ByteBuffer>

    init(database: AppDatabase, cacheLifetime: Duration) {
        self.database = database
        // Pages are a few kilobytes to a few hundred: a few hundred of them at most.
        duePages = ShortCache(lifetime: cacheLifetime, capacity: 256)
    }

    /// What a due page depends on: the data (by generation) and the request.
    struct DuePageKey: Hashable, Sendable {
        let generation: UInt64
        let unit: String
        let on: LocalDate?
        let horizon: Int
        let page: PageRequest
    }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("due", use: due)
        group.get("reports/coverage", use: coverage)
        group.get("reports/pairing", use: pairing)
        group.get("reports/digest", use: digest)
    }

    /// A page of the households due under a unit (the same for every caller who may see the
    /// unit: it holds no personal data).
    @Sendable func due(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let unit = try await context.requireScope(request.requiredQuery("unit"))
        var horizon = 7
        if let text = request.query("horizon") {
            guard let value = Int(text) else { throw GridbookError.invalid(field: "horizon", problem: "\(text) is not a number of days") }
            horizon = value
        }
        let on = try request.dateQuery("on")
        let page = try Paging.page(request)
        // The generation is read before the database: the page read after it is at least as new.
        let key = DuePageKey(generation: database.generation.current, unit: unit, on: on, horizon: horizon, page: page)
        let read = { ByteBuffer(bytes: try JSONOutput.bytes(try await database.dueList(unitCode: unit, on: on, horizon: horizon, page: page))) }
        // `Cache-Control: no-cache` asks for the list as read now (and keeps it for the next caller).
        let json = request.headers[.cacheControl]?.contains("no-cache") == true
            ? try await duePages.store(read(), for: key)
            : try await duePages.value(for: key, orMake: read)
        return GridbookJSONEncoder.response(json)
    }

    /// Visit coverage of a unit as JSON, CSV or an HTML page.
    @Sendable func coverage(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let unit = try await context.requireScope(request.requiredQuery("unit"))
        let asOf = try request.dateQuery("as_of")
        switch request.query("format") ?? "json" {
        case "json":
            return try context.responseEncoder.encode(try await database.coverageReport(unitCode: unit, asOf: asOf), from: request, context: context)
        case "html":
            // The map is one self-contained file (the command line writes the same): its
            // style is inline, and it runs no script at all.
            var response = TextResponse.text(try CoverageMap.html(try await database.coverageTree(unitCode: unit, asOf: asOf)),
                                             contentType: "text/html; charset=utf-8")
            response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
            return response
        case "csv":
            return TextResponse.text(CoverageCSV.render(try await database.coverageReport(unitCode: unit, asOf: asOf)),
                                     contentType: "text/csv; charset=utf-8")
        case let other: throw GridbookError.invalid(field: "format", problem: "\(other) is not json, csv or html")
        }
    }

    /// Grids, villages and blocks missing someone on duty.
    @Sendable func pairing(_ request: Request, context: AuthenticatedContext) async throws -> PairingReport {
        let unit = try await context.requireScope(request.requiredQuery("unit"))
        return try await database.pairingReport(unitCode: unit)
    }

    /// The daily, weekly or monthly digest of a unit, for township staff, mediators and county
    /// admins (the people who triage and dispatch).
    @Sendable func digest(_ request: Request, context: AuthenticatedContext) async throws -> Digest {
        _ = try context.require(.handleCases)
        let unit = try await context.requireScope(request.requiredQuery("unit"))
        guard let period = try request.choiceQuery("period", DigestPeriod.self) else {
            throw GridbookError.invalid(field: "period", problem: "is missing (daily, weekly or monthly)")
        }
        return try await database.digest(period, unitCode: unit, on: try request.dateQuery("on"))
    }
}

/// The digest answers as the API's JSON (the same bytes as `gridbook digest --format json`).
extension Digest: ResponseEncodable {}
