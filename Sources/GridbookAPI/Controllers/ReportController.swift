import GridbookCore
import Hummingbird

/// The due list and the reports, each the same JSON the CLI prints with `--format json`.
struct ReportController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("due", use: due)
        group.get("reports/coverage", use: coverage)
        group.get("reports/pairing", use: pairing)
    }

    /// A page of the households due under a unit.
    @Sendable func due(_ request: Request, context: AuthenticatedContext) async throws -> Page<DueItem> {
        let unit = try await context.requireScope(request.requiredQuery("unit"))
        var horizon = 7
        if let text = request.query("horizon") {
            guard let value = Int(text) else { throw GridbookError.invalid(field: "horizon", problem: "\(text) is not a number of days") }
            horizon = value
        }
        return try await database.dueList(unitCode: unit, on: request.dateQuery("on"), horizon: horizon, page: Paging.page(request))
    }

    /// Visit coverage of a unit as JSON, CSV or an HTML page.
    @Sendable func coverage(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let unit = try await context.requireScope(request.requiredQuery("unit"))
        let asOf = try request.dateQuery("as_of")
        switch request.query("format") ?? "json" {
        case "json":
            return try context.responseEncoder.encode(try await database.coverageReport(unitCode: unit, asOf: asOf), from: request, context: context)
        case "html":
            return TextResponse.text(try CoverageMap.html(try await database.coverageTree(unitCode: unit, asOf: asOf)),
                                     contentType: "text/html; charset=utf-8")
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
}
