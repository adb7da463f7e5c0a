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

    /// A sign-in code as the API shows it, once.
    struct IssuedCode: ResponseEncodable {
        var personId: String
        var code: String
        var expiresAt: String
    }

    /// The body of `POST /api/v1/login-codes`.
    struct CodeBody: Decodable {
        var personId: String
    }

    /// The county's categories.
    struct Categories: ResponseEncodable {
        var items: [IssueCategory]
    }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("me", use: me)
        group.get("categories", use: categories)
        group.post("login-codes", use: issueLoginCode)
    }

    /// The dispute and hazard categories.
    @Sendable func categories(_ request: Request, context: AuthenticatedContext) async throws -> Categories {
        Categories(items: try await database.issueCategories())
    }

    /// A one-time sign-in code for someone in the caller's units (201).
    @Sendable func issueLoginCode(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<IssuedCode> {
        let caller = try context.require(.handleCases)
        let body = try await request.decodeJSON(CodeBody.self, context: context)
        try RecordCode.check(body.personId, field: "person_id")
        let issued = try await database.issueLoginCode(person: body.personId, issuer: caller, by: .person(caller.person.id))
        return EditedResponse(status: .created, response: IssuedCode(personId: body.personId, code: issued.code, expiresAt: issued.record.expiresAt))
    }

    /// Who is calling.
    @Sendable func me(_ request: Request, context: AuthenticatedContext) async throws -> Me {
        let caller = context.caller
        var units: [UnitSummary] = []
        for code in caller.scopeUnits { units.append(UnitSummary(try await database.unit(code: code))) }
        return Me(id: caller.person.id, name: caller.person.name, roles: caller.roles, scopeUnits: units)
    }
}
