import GRDB

/// The levels of the administrative hierarchy, top to bottom (SPEC section 2).
public enum UnitLevel: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case county, township, village, grid, block

    /// The level a unit of this level hangs under, or nil for the county.
    public var parent: UnitLevel? {
        switch self {
        case .county: nil
        case .township: .county
        case .village: .township
        case .grid: .village
        case .block: .grid
        }
    }

    /// The level of this level's children, or nil for blocks.
    public var child: UnitLevel? {
        UnitLevel.allCases.first { $0.parent == self }
    }

    /// 0 for the county, 4 for a block.
    public var depth: Int { UnitLevel.allCases.firstIndex(of: self) ?? 0 }
}

/// A unit of the hierarchy: the county, a township, a village, a grid or a block.
public struct Unit: Codable, Equatable, Sendable, Identifiable {
    public var id: String { code }
    /// Unique code, usually the statistical code (12 digits for townships and villages).
    public var code: String
    public var name: String
    public var level: UnitLevel
    /// The unit one level up; nil for the county.
    public var parentCode: String?

    /// Creates a unit record.
    public init(code: String, name: String, level: UnitLevel, parentCode: String?) {
        self.code = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
    }
}

extension Unit: GridbookRecord, PersistableRecord {
    public static let databaseTableName = "units"

    /// The table's columns.
    public enum Columns {
        public static let code = Column("code")
        public static let name = Column("name")
        public static let level = Column("level")
        public static let parentCode = Column("parent_code")
    }

    /// Reads a unit row by its columns (every request reads a unit or two: written out rather
    /// than decoded); a stored value that cannot be read is an error, as with Codable.
    public init(row: Row) throws {
        code = try row.decode(forColumn: Columns.code)
        name = try row.decode(forColumn: Columns.name)
        level = try row.decode(forColumn: Columns.level)
        parentCode = try row.decode(forColumn: Columns.parentCode)
    }
}

extension DerivableRequest<Unit> {
    /// The units one level below `code`, by code.
    public func children(of code: String) -> Self {
        filter(Unit.Columns.parentCode == code).order(Unit.Columns.code)
    }
}
