import GridbookCore
import Hummingbird

/// Units and their households.
struct UnitController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("units/:code") { _, context in
            let code = try context.parameters.require("code")
            let detail = try await database.unitDetail(code: code)
            try await context.requireScope(code)
            return try JSONResponse.make(detail)
        }
        group.get("units/:code/households") { request, context in
            let caller = context.caller
            let code = try context.parameters.require("code")
            try await context.requireScope(code)
            let reveal = try Reveal.check(request, caller: caller)
            let page = try await database.households(under: code, on: request.dateQuery("on"), reveal: reveal, page: Paging.page(request))
            if reveal {
                try await database.recordReveal(by: .person(caller.person.id), recordType: "unit", recordId: code,
                                          detail: "phones of \(page.items.count) households")
            }
            return try JSONResponse.make(page)
        }
        group.get("households/:code") { request, context in
            let caller = context.caller
            let code = try context.parameters.require("code")
            try await context.requireScope(try await database.innermostUnit(ofHousehold: code))
            let reveal = try Reveal.check(request, caller: caller)
            let household = try await database.household(code: code, on: request.dateQuery("on"), reveal: reveal)
            if reveal { try await database.recordReveal(by: .person(caller.person.id), recordType: "household", recordId: code, detail: "phone") }
            return try JSONResponse.make(household)
        }
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
