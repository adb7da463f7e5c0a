import GRDB

/// Which page of a list to read: at most `limit` items after the cursor `after` (the `next` of
/// the page before), read with a keyset condition in the query itself, never cut out of a
/// whole list read into memory.
public struct PageRequest: Sendable, Hashable {
    /// Items a page holds unless the caller asks for another number.
    public static let defaultLimit = 100
    /// The most items one page may hold.
    public static let maximumLimit = 1000

    /// Items on the page, 1 to ``maximumLimit``.
    public let limit: Int
    /// The cursor the page starts after, or nil for the first page.
    public let after: String?

    /// A page of `limit` items after `after`; 400 (`limit`) outside 1 to ``maximumLimit``, 400
    /// (`after`) for an empty cursor (the first page has none).
    public init(limit: Int = PageRequest.defaultLimit, after: String? = nil) throws {
        guard (1...Self.maximumLimit).contains(limit) else {
            throw GridbookError.invalid(field: "limit", problem: "\(limit) is not a number from 1 to \(Self.maximumLimit)")
        }
        self.init(checked: limit, after: after)
        if after?.isEmpty == true { throw badCursor }
    }

    private init(checked limit: Int, after: String?) {
        self.limit = limit
        self.after = after
    }

    /// The first page of the default size.
    public static let first = PageRequest(checked: defaultLimit, after: nil)

    /// The cursor of a list kept in order of a code or id; 400 (`after`) when it cannot be one.
    func codeCursor() throws -> String? {
        guard let after else { return nil }
        guard RecordCode.problem(after) == nil else { throw badCursor }
        return after
    }

    /// The cursor of a list kept in order of a record's key (a household's code, a case's id):
    /// 400 (`after`) unless it is the key of a record the list holds (`inList`: an SQL query of
    /// whether the list holds the record of that key), so that another list's cursor, or one
    /// made up, is refused rather than answered with an arbitrary page, and whether a record
    /// outside the list (outside the caller's units) exists is never told.
    func recordCursor(_ db: Database, inList: (String) -> SQL) throws -> String? {
        guard let after = try codeCursor() else { return nil }
        guard try Bool.fetchOne(db, SQLRequest<Bool>(literal: inList(after))) == true else { throw badCursor }
        return after
    }

    /// The cursor's parts, split at `|`, when there are exactly `count` of them; 400 (`after`) otherwise.
    func cursorParts(_ count: Int) throws -> [String]? {
        guard let after else { return nil }
        let parts = after.split(separator: "|", maxSplits: count - 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == count, !parts.contains(where: \.isEmpty) else { throw badCursor }
        return parts
    }

    /// 400 naming `after`: the cursor is not one of this list's.
    var badCursor: GridbookError {
        GridbookError.invalid(field: "after", problem: "\(after ?? "") is not a cursor of this list")
    }
}
