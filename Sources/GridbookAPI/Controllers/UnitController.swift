import GridbookCore
import Hummingbird

/// Units and their households.
struct UnitController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("units/:code", use: unit)
        group.get("units/:code/households", use: households)
        group.get("households/:code", use: household)
    }

    /// A unit with its parents and children.
    @Sendable func unit(_ request: Request, context: AuthenticatedContext) async throws -> UnitDetail {
        let code = try context.parameters.require("code")
        let detail = try await database.unitDetail(code: code)
        try await context.requireScope(code)
        return detail
    }

    /// A page of the households under a unit.
    @Sendable func households(_ request: Request, context: AuthenticatedContext) async throws -> Page<HouseholdView> {
        let code = try context.parameters.require("code")
        try await context.requireScope(code)
        let reveal = try Reveal.check(request, caller: context.caller)
        let page = try await database.households(under: code, on: request.dateQuery("on"), reveal: reveal, page: Paging.page(request))
        if reveal {
            try await database.recordReveal(by: .person(context.caller.person.id), recordType: "unit", recordId: code,
                                            detail: "phones of \(page.items.count) households")
        }
        return page
    }

    /// One household with its schedule and latest visits.
    @Sendable func household(_ request: Request, context: AuthenticatedContext) async throws -> HouseholdView {
        let code = try context.parameters.require("code")
        try await context.requireScope(try await database.innermostUnit(ofHousehold: code))
        let reveal = try Reveal.check(request, caller: context.caller)
        let household = try await database.household(code: code, on: request.dateQuery("on"), reveal: reveal)
        if reveal {
            try await database.recordReveal(by: .person(context.caller.person.id), recordType: "household", recordId: code, detail: "phone")
        }
        return household
    }
}

/// `reveal=true`: personal data in full, for county admins only, and audited.
enum Reveal {
    /// Whether the request asks to reveal; 403 when the caller may not.
    static func check(_ request: Request, caller: Caller) throws -> Bool {
        guard try request.flagQuery("reveal") else { return false }
        guard caller.may(.revealPersonalData) else {
            throw APIError(.forbidden, code: "forbidden", message: "only \(Permission.revealPersonalData.holders) may reveal personal data")
        }
        return true
    }
}
