import GridbookCore
import Hummingbird

/// Pages of list endpoints: `limit` (1 to 1000, default 100) items after the cursor `after`,
/// answered as `{"items": [...], "next": CURSOR-or-null}`; each list reads its page in SQL.
enum Paging {
    /// `limit`, 1 to 1000 (default 100); 400 otherwise.
    static func limit(_ request: Request) throws -> Int {
        guard let text = request.query("limit") else { return PageRequest.defaultLimit }
        guard let limit = Int(text), (1...PageRequest.maximumLimit).contains(limit) else {
            throw GridbookError.invalid(field: "limit", problem: "\(text) is not a number from 1 to \(PageRequest.maximumLimit)")
        }
        return limit
    }

    /// The page a request asks for: `limit` and the cursor `after` (400 when `after` is given empty).
    static func page(_ request: Request) throws -> PageRequest {
        let after = request.uri.queryParameters.get("after")
        if after?.isEmpty == true { throw GridbookError.invalid(field: "after", problem: "is empty (leave it out for the first page)") }
        return try PageRequest(limit: limit(request), after: after)
    }
}
