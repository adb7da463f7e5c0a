import Foundation
import GridbookCore
import Hummingbird

/// `GET /api/v1/events?after=SEQ&limit=N`: the change feed, oldest first.
struct EventController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("events") { request, context in
            let caller = try context.require(.readFeed)
            var after: Int64 = 0
            if let text = request.query("after") {
                guard let value = Int64(text), value >= 0 else { throw GridbookError.invalid(field: "after", problem: "\(text) is not a sequence number") }
                after = value
            }
            let limit = try Paging.limit(request)
            // Each caller sees the events of their own units only; county admins see all.
            let units = caller.roles.contains(.countyAdmin) ? nil : caller.scopeUnits
            return try JSONResponse.make(try await database.feed(after: after, limit: limit, under: units))
        }
    }
}

