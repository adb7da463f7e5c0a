import GRDB
import Synchronization

/// A record of Gridbook's database. Its columns are its properties in snake_case
/// (`householdCode` is `household_code`), as its JSON keys are (``JSONOutput``): one naming rule
/// for the database and the API, with no `CodingKeys` to keep in step.
public protocol GridbookRecord: FetchableRecord {}

extension GridbookRecord {
    /// GRDB's `convertFromSnakeCase`, remembered per column name: GRDB converts every column of
    /// every row it decodes, which was most of the cost of reading a list of two thousand risks.
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .custom(SnakeCaseColumns.key) }
}

extension GridbookRecord where Self: EncodableRecord {
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}

/// The coding keys of snake_case column names, converted once each.
enum SnakeCaseColumns {
    /// The column names met so far (a few hundred at most: the schema's).
    private static let keys = Mutex<[String: ColumnKey]>([:])

    /// The coding key of a snake_case column name (`household_code` → `householdCode`).
    @Sendable static func key(_ column: String) -> any CodingKey {
        if let key = keys.withLock({ $0[column] }) { return key }
        let key = ColumnKey(stringValue: convert(column))
        keys.withLock { $0[column] = key }
        return key
    }

    /// Foundation's snake_case conversion, as GRDB's `convertFromSnakeCase` does it: the leading
    /// and trailing underscores kept, each inner `_x` made `X`.
    static func convert(_ column: String) -> String {
        let parts = column.split(separator: "_", omittingEmptySubsequences: true)
        guard parts.count > 1, let first = column.firstIndex(where: { $0 != "_" }),
              let last = column.lastIndex(where: { $0 != "_" }) else { return column }
        let words = column[first...last].split(separator: "_", omittingEmptySubsequences: true)
        let joined = words.enumerated().map { index, word in
            index == 0 ? word.lowercased() : word.prefix(1).uppercased() + word.dropFirst().lowercased()
        }.joined()
        return String(column[..<first]) + joined + String(column[column.index(after: last)...])
    }

    /// A coding key that is its string.
    struct ColumnKey: CodingKey, Sendable {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
