import GridbookCore
import Hummingbird

/// Units and their households.
struct UnitController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<GridbookRequestContext>) {
        group.get("units/:code") { _, context in
            let caller = try context.requireCaller()
            let code = try context.parameters.require("code")
            let detail = try database.unitDetail(code: code)
            try database.requireScope(code, for: caller)
            return try JSONResponse.make(detail)
        }
        group.get("units/:code/households") { request, context in
            let caller = try context.requireCaller()
            let code = try context.parameters.require("code")
            _ = try database.scopedUnit(code, for: caller)
            let limit = try Paging.limit(request)
            let reveal = try Reveal.check(request, caller: caller)
            let all = try database.households(under: code, on: request.dateQuery("on"), reveal: reveal)
            let after = request.query("after")
            let rest = after.map { cursor in all.filter { $0.code > cursor } } ?? all
            let page = Array(rest.prefix(limit))
            if reveal {
                try database.recordReveal(by: .person(caller.person.id), recordType: "unit", recordId: code,
                                          detail: "phones of \(page.count) households")
            }
            return try JSONResponse.make(Page(items: page, next: rest.count > limit ? page.last?.code : nil))
        }
        group.get("households/:code") { request, context in
            let caller = try context.requireCaller()
            let code = try context.parameters.require("code")
            try database.requireScope(try database.household(code: code).gridCode, for: caller)
            let reveal = try Reveal.check(request, caller: caller)
            let household = try database.household(code: code, on: request.dateQuery("on"), reveal: reveal)
            if reveal { try database.recordReveal(by: .person(caller.person.id), recordType: "household", recordId: code, detail: "phone") }
            return try JSONResponse.make(household)
        }
    }
}

/// Page sizes of list endpoints.
enum Paging {
    /// `limit`, 1 to 1000 (default 100).
    static func limit(_ request: Request) throws -> Int {
        guard let text = request.query("limit") else { return 100 }
        guard let limit = Int(text), (1...1000).contains(limit) else {
            throw GridbookError.invalid(field: "limit", problem: "\(text) is not a number from 1 to 1000")
        }
        return limit
    }
}

/// `reveal=true`: personal data in full, for county admins only, and audited.
enum Reveal {
    /// Whether the request asks to reveal; 403 when the caller may not.
    static func check(_ request: Request, caller: Caller) throws -> Bool {
        guard request.query("reveal") == "true" else { return false }
        guard caller.roles.contains(.countyAdmin) else {
            throw APIError(.forbidden, code: "forbidden", message: "only county admins may reveal personal data")
        }
        return true
    }
}
