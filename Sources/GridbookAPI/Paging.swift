import GridbookCore
import Hummingbird

/// Pages of list endpoints: `limit` (1 to 1000, default 100) items after the cursor `after`,
/// answered as `{"items": [...], "next": CURSOR-or-null}`; each list reads its page in SQL.
package enum Paging {
    /// `limit`, 1 to 1000 (default 100); 400 otherwise (the range is ``PageRequest``'s).
    static func limit(_ request: Request) throws -> Int {
        guard let text = request.query("limit") else { return PageRequest.defaultLimit }
        guard let limit = Int(text) else {
            throw GridbookError.invalid(field: "limit", problem: "\(text) is not a number from 1 to \(PageRequest.maximumLimit)")
        }
        return try PageRequest(limit: limit).limit
    }

    /// The page a request asks for: `limit` and the cursor `after` (given empty, it is refused).
    package static func page(_ request: Request) throws -> PageRequest {
        try PageRequest(limit: limit(request), after: request.uri.queryParameters.get("after").map { String($0) })
    }
}
