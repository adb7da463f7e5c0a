import GridbookCore
import Hummingbird

/// The due list and the reports, each the same JSON the CLI prints with `--format json`.
struct ReportController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("due") { request, context in
            let unit = try await context.requireScope(request.requiredQuery("unit"))
            var horizon = 7
            if let text = request.query("horizon") {
                guard let value = Int(text) else { throw GridbookError.invalid(field: "horizon", problem: "\(text) is not a number of days") }
                horizon = value
            }
            return try JSONResponse.make(try await database.dueList(unitCode: unit, on: request.dateQuery("on"), horizon: horizon,
                                                                    page: Paging.page(request)))
        }
        group.get("reports/coverage") { request, context in
            let unit = try await context.requireScope(request.requiredQuery("unit"))
            let asOf = try request.dateQuery("as_of")
            switch request.query("format") ?? "json" {
            case "json": return try JSONResponse.make(try await database.coverageReport(unitCode: unit, asOf: asOf))
            case "html": return JSONResponse.text(CoverageMap.html(try await database.coverageTree(unitCode: unit, asOf: asOf)),
                                                  contentType: "text/html; charset=utf-8")
            case "csv": return JSONResponse.text(CoverageCSV.render(try await database.coverageReport(unitCode: unit, asOf: asOf)),
                                                 contentType: "text/csv; charset=utf-8")
            case let other: throw GridbookError.invalid(field: "format", problem: "\(other) is not json, csv or html")
            }
        }
        group.get("reports/pairing") { request, context in
            let unit = try await context.requireScope(request.requiredQuery("unit"))
            return try JSONResponse.make(try await database.pairingReport(unitCode: unit))
        }
    }
}
