import GRDB

/// A household of a grid, visited on a schedule set by its categories.
public struct Household: Codable, Equatable, Sendable, Identifiable {
    public var id: String { code }
    public var code: String
    public var gridCode: String
    /// Optional; always a block of `gridCode`.
    public var blockCode: String?
    public var address: String
    public var headName: String
    /// Personal data: masked in every output unless the caller may see it.
    public var phone: String?
    public var members: Int
    public var registeredOn: LocalDate
    /// The local date of the latest `met` visit, maintained on every visit write.
    public var lastMetOn: LocalDate?

    /// The smallest unit the household sits in: its block, else its grid. Whoever holds that
    /// unit or one above it may see the household.
    public var innermostUnit: String { blockCode ?? gridCode }

    /// Creates a household record.
    public init(code: String, gridCode: String, blockCode: String? = nil, address: String = "", headName: String = "",
                phone: String? = nil, members: Int = 1, registeredOn: LocalDate, lastMetOn: LocalDate? = nil) {
        self.code = code
        self.gridCode = gridCode
        self.blockCode = blockCode
        self.address = address
        self.headName = headName
        self.phone = phone
        self.members = members
        self.registeredOn = registeredOn
        self.lastMetOn = lastMetOn
    }
}

extension Household: GridbookRecord, PersistableRecord {
    public static let databaseTableName = "households"

    /// The table's columns.
    public enum Columns {
        public static let code = Column("code")
        public static let gridCode = Column("grid_code")
        public static let blockCode = Column("block_code")
        public static let address = Column("address")
        public static let headName = Column("head_name")
        public static let phone = Column("phone")
        public static let members = Column("members")
        public static let registeredOn = Column("registered_on")
        public static let lastMetOn = Column("last_met_on")
    }

    /// Reads a household row by its columns. Written out rather than decoded: every visit
    /// logged reads its household, and Codable's keyed decoding costs more than the query. A
    /// stored value that cannot be read is an error, as with Codable.
    public init(row: Row) throws {
        code = try row.decode(forColumn: Columns.code)
        gridCode = try row.decode(forColumn: Columns.gridCode)
        blockCode = try row.decode(forColumn: Columns.blockCode)
        address = try row.decode(forColumn: Columns.address)
        headName = try row.decode(forColumn: Columns.headName)
        phone = try row.decode(forColumn: Columns.phone)
        members = try row.decode(forColumn: Columns.members)
        registeredOn = try row.decode(forColumn: Columns.registeredOn)
        lastMetOn = try row.decode(forColumn: Columns.lastMetOn)
    }
}
