import ArgumentParser
import GridbookCore

/// `gridbook unit …`: the hierarchy of units.
struct UnitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit",
        abstract: "Units of the hierarchy: county, townships, villages, grids, blocks.",
        subcommands: [UnitListCommand.self, UnitShowCommand.self, UnitAddCommand.self, UnitMoveCommand.self]
    )
}

/// `gridbook unit list`: units, optionally those under one unit or of one level.
struct UnitListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List units.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only units under this unit (and the unit itself).")
    var under: String?

    @Option(help: "Only units of this level: county, township, village, grid or block.")
    var level: UnitLevel?

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let database = try await global.open()
        let units = try await database.units(under: under, level: level)
        try ListOutput(items: units, columns: [
            .init(header: "code") { $0.code },
            .init(header: "name") { $0.name },
            .init(header: "level") { $0.level.rawValue },
            .init(header: "parent_code") { $0.parentCode ?? "" },
        ]).print(format)
    }
}

extension UnitLevel: ExpressibleByArgument {}

/// `gridbook unit show CODE`: a unit, the units above it and its children.
struct UnitShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a unit, its parents and its children.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The unit's code.")
    var code: String

    @Option(help: "table or json.")
    var format: RecordFormat = .table

    func run() async throws {
        let detail = try await global.open().unitDetail(code: code)
        if format == .json { return try Console.printJSON(detail) }
        print("\(detail.unit.name) (\(detail.unit.code), \(detail.unit.level.rawValue))")
        if !detail.parents.isEmpty {
            print("in: " + detail.parents.map { "\($0.name) (\($0.code))" }.joined(separator: " ← "))
        }
        print("\(detail.children.count) units under it")
        var table = TextTable(headers: ["code", "name", "level"], alignments: [.left, .left, .left])
        table.rows = detail.children.map { [$0.code, $0.name, $0.level] }
        if !detail.children.isEmpty { Console.write(table.render()) }
    }
}

/// `gridbook unit add`: a new unit.
struct UnitAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a unit under a parent one level up.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The new unit's code.")
    var code: String

    @Option(help: "Its name.")
    var name: String

    @Option(help: "county, township, village, grid or block.")
    var level: UnitLevel

    @Option(help: "The parent's code (one level up; none for the county).")
    var parent: String?

    func run() async throws {
        try await global.open().addUnit(Unit(code: code, name: name, level: level, parentCode: parent), by: global.actor)
        print("added \(level.rawValue) \(name) (\(code))" + (parent.map { " under \($0)" } ?? ""))
    }
}

/// `gridbook unit move CODE --to PARENT`: re-parents a unit with everything under it.
struct UnitMoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move a unit under another parent (a grid to another village, a village to another township).",
        discussion: "Its units, households, visits and duties go with it; reports follow at once."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The unit to move.")
    var code: String

    @Option(help: "The new parent's code (one level up).")
    var to: String

    func run() async throws {
        let unit = try await global.open().moveUnit(code: code, to: to, by: global.actor)
        print("moved \(unit.level.rawValue) \(unit.name) (\(unit.code)) under \(to)")
    }
}
