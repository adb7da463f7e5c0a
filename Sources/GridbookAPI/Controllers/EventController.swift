import Foundation
import GridbookCore
import Hummingbird

/// `GET /api/v1/events?after=SEQ&limit=N`: the change feed, oldest first.
struct EventController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("events", use: events)
    }

    /// A page of the feed; each caller sees the events of their own units only (county admins all).
    @Sendable func events(_ request: Request, context: AuthenticatedContext) async throws -> Page<FeedEvent> {
        let caller = try context.require(.readFeed)
        var after: Int64 = 0
        if let text = request.query("after") {
            guard let value = Int64(text), value >= 0 else { throw GridbookError.invalid(field: "after", problem: "\(text) is not a sequence number") }
            after = value
        }
        let units = caller.roles.contains(.countyAdmin) ? nil : caller.scopeUnits
        return try await database.feed(after: after, limit: Paging.limit(request), under: units)
    }
}
