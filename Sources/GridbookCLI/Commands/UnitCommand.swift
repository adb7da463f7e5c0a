import ArgumentParser
import GridbookCore

/// `gridbook unit …`: the hierarchy of units.
struct UnitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit",
        abstract: "Units of the hierarchy: county, townships, villages, grids, blocks.",
        subcommands: [UnitListCommand.self]
    )
}

/// `gridbook unit list`: units, optionally those under one unit or of one level.
struct UnitListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List units.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only units under this unit (and the unit itself).")
    var under: String?

    @Option(help: "Only units of this level: county, township, village, grid or block.")
    var level: UnitLevel?

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() throws {
        let database = try global.open()
        let units = try database.units(under: under, level: level)
        switch format {
        case .json:
            try Console.printJSON(UnitList(items: units))
        case .csv:
            Console.write(CSVWriter.render([["code", "name", "level", "parent_code"]]
                + units.map { [$0.code, $0.name, $0.level.rawValue, $0.parentCode ?? ""] }))
        case .table:
            var table = TextTable(headers: ["code", "name", "level", "parent"], alignments: [.left, .left, .left, .left])
            table.rows = units.map { [$0.code, $0.name, $0.level.rawValue, $0.parentCode ?? ""] }
            Console.write(table.render())
        }
    }
}

/// A list of units as JSON lists are shaped (SPEC section 6).
struct UnitList: Encodable {
    var items: [Unit]
    var next: String? = nil

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(next, forKey: .next)
    }

    enum CodingKeys: String, CodingKey { case items, next }
}

extension UnitLevel: ExpressibleByArgument {}
