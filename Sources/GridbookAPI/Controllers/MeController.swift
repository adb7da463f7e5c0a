import GridbookCore
import Hummingbird

/// `GET /api/v1/me`: the caller, their roles and the units they may see.
struct MeController {
    let database: AppDatabase

    /// The caller as the API shows them.
    struct Me: ResponseEncodable {
        var id: String
        var name: String
        var roles: [Role]
        var scopeUnits: [UnitSummary]
    }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("me", use: me)
    }

    /// Who is calling.
    @Sendable func me(_ request: Request, context: AuthenticatedContext) async throws -> Me {
        let caller = context.caller
        var units: [UnitSummary] = []
        for code in caller.scopeUnits { units.append(UnitSummary(try await database.unit(code: code))) }
        return Me(id: caller.person.id, name: caller.person.name, roles: caller.roles, scopeUnits: units)
    }
}
