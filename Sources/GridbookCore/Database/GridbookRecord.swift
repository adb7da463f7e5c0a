import GRDB

/// A record of Gridbook's database. Its columns are its properties in snake_case
/// (`householdCode` is `household_code`), as its JSON keys are (``JSONOutput``): one naming rule
/// for the database and the API, with no `CodingKeys` to keep in step.
public protocol GridbookRecord: FetchableRecord {}

extension GridbookRecord {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
}

extension GridbookRecord where Self: EncodableRecord {
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}
