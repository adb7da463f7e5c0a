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
        return try await database.households(under: code, on: request.dateQuery("on"), revealTo: try request.flagQuery("reveal") ? context.caller : nil,
                                             page: Paging.page(request))
    }

    /// One household with its schedule and latest visits.
    @Sendable func household(_ request: Request, context: AuthenticatedContext) async throws -> HouseholdDetail {
        let code = try context.parameters.require("code")
        try await context.requireScope(try await database.scopeUnit(ofHousehold: code))
        return try await database.household(code: code, on: request.dateQuery("on"), revealTo: try request.flagQuery("reveal") ? context.caller : nil)
    }
}
