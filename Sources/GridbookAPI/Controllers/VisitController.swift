import Foundation
import GridbookCore
import Hummingbird

/// Logging and listing visits.
struct VisitController {
    let database: AppDatabase

    /// A visit as clients send it (SPEC section 6).
    struct VisitBody: Decodable {
        var id: String?
        var householdCode: String
        var visitorId: String?
        var visitedAt: String
        var method: VisitMethod
        var outcome: VisitOutcome
        var note: String?
        var findings: [RiskBody]?
    }

    /// A risk found on a visit.
    struct RiskBody: Decodable {
        var category: String
        var level: RiskLevel
        var title: String
        var description: String?
    }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("visits", use: log)
        group.get("visits", use: list)
    }

    /// Logs a visit: 201 with the visit and the risks of its findings, 200 with the stored one
    /// when the same visit comes again.
    @Sendable func log(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<LoggedVisit> {
        let caller = try context.require(.logVisits)
        let body = try await request.decodeJSON(VisitBody.self, context: context)
        try RecordCode.check(body.householdCode, field: "household_code")
        if let visitor = body.visitorId, visitor != caller.person.id, !caller.may(.logVisitsForOthers) {
            throw APIError(.forbidden, code: "forbidden",
                           message: "only \(Permission.logVisitsForOthers.holders) may log a visit in someone else's name")
        }
        let scope = context.scope
        let new = NewVisit(
            id: body.id, householdCode: body.householdCode, visitorId: body.visitorId ?? caller.person.id,
            visitedAt: body.visitedAt, method: body.method, outcome: body.outcome, note: body.note ?? "",
            findings: (body.findings ?? []).map {
                NewRisk(category: $0.category, level: $0.level, title: $0.title, description: $0.description ?? "", source: .visit)
            }
        )
        // The scope check runs in the visit's own transaction, once the household is read.
        let result: VisitLogResult
        do {
            result = try await database.logVisit(new, by: .person(caller.person.id), check: { db, household in
                try scope.require(household.innermostUnit, in: db)
            })
        } catch GridbookError.notAllowed(let why) {
            throw Self.noDuty(why, new, caller: caller.person.id)
        }
        return EditedResponse(status: result.isNew ? .created : .ok, response: try await database.logged(result))
    }

    /// The 403 for a visitor with no duty covering the household on the visit's date (the only
    /// refusal of that kind logging a visit makes: the scope check's is an ``APIError``), naming
    /// the field to change: `visitor_id` when the visitor is someone else, else `visited_at` (the
    /// caller has the household in scope, so is on duty there now: the date is outside the duty).
    static func noDuty(_ why: String, _ visit: NewVisit, caller: String) -> APIError {
        let detail = visit.visitorId == caller
            ? APIError.Detail(field: "visited_at", problem: "is outside the dates of \(caller)'s duties covering household \(visit.householdCode)")
            : APIError.Detail(field: "visitor_id", problem: "\(visit.visitorId) holds no duty covering household \(visit.householdCode) on the visit's date")
        return APIError(.forbidden, code: "forbidden", message: why, details: [detail])
    }

    /// A page of the visits under a unit.
    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Page<Visit> {
        let unit = try await context.requireScope(request.requiredQuery("unit"))
        return try await database.visits(under: unit, from: request.dateQuery("from"), to: request.dateQuery("to"), page: Paging.page(request))
    }
}
