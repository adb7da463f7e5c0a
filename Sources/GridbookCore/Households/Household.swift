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

    enum CodingKeys: String, CodingKey {
        case code, address, phone, members
        case gridCode = "grid_code"
        case blockCode = "block_code"
        case headName = "head_name"
        case registeredOn = "registered_on"
        case lastMetOn = "last_met_on"
    }
}

extension Household: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "households"
}
