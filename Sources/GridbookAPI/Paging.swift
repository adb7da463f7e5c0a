import GridbookCore
import Hummingbird

/// Pages of list endpoints: `limit` (1 to 1000, default 100) items after the cursor `after`,
/// answered as `{"items": [...], "next": CURSOR-or-null}`.
enum Paging {
    /// `limit`, 1 to 1000 (default 100); 400 otherwise.
    static func limit(_ request: Request) throws -> Int {
        guard let text = request.query("limit") else { return 100 }
        guard let limit = Int(text), (1...1000).contains(limit) else {
            throw GridbookError.invalid(field: "limit", problem: "\(text) is not a number from 1 to 1000")
        }
        return limit
    }

    /// A page of a list sorted by `key`: the items whose key sorts after the cursor, `limit` of
    /// them; `next` is the last one's key when more follow. A cursor stays good when items come
    /// and go between pages.
    static func page<Item>(_ items: [Item], _ request: Request, key: (Item) -> String) throws -> Page<Item> {
        let limit = try limit(request)
        let rest = request.query("after").map { cursor in items.filter { key($0) > cursor } } ?? items
        let page = Array(rest.prefix(limit))
        return Page(items: page, next: rest.count > limit ? page.last.map(key) : nil)
    }
}
