import ArgumentParser
import GridbookCore

/// `gridbook household …`: households and where they stand on their visit schedule.
struct HouseholdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "household",
        abstract: "Households and their visit schedule (phone numbers masked).",
        subcommands: [HouseholdListCommand.self, HouseholdShowCommand.self]
    )
}

/// `gridbook household list --unit CODE`: households under a unit.
struct HouseholdListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List households under a unit.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The unit (a grid, a block, a village, …).")
    var unit: String

    @Option(help: "The date for the schedule columns, YYYY-MM-DD (default: today).")
    var on: LocalDate?

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    @OptionGroup var paging: PageOptions

    func run() async throws {
        let households = try await global.open().households(under: unit, on: on, page: paging.request())
        try ListOutput(page: households, columns: [
            .init(header: "code") { $0.code },
            .init(header: "head") { $0.headName },
            .init(header: "address") { $0.address },
            .init(header: "phone") { $0.phone ?? "" },
            .init(header: "tags") { $0.tags.joined(separator: ";") },
            .init(header: "last met") { $0.schedule?.lastMet?.description ?? "never" },
            .init(header: "due on") { $0.schedule?.dueOn.description ?? "" },
            .init(header: "overdue days", alignment: .right) { "\($0.schedule?.overdueDays ?? 0)" },
        ]).print(format)
    }
}

/// `gridbook household show CODE`: one household, its schedule and its latest visits.
struct HouseholdShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a household, its schedule and its latest visits.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The household's code.")
    var code: String

    @Option(help: "The date for the schedule, YYYY-MM-DD (default: today).")
    var on: LocalDate?

    @Option(help: "table or json.")
    var format: RecordFormat = .table

    func run() async throws {
        let household = try await global.open().household(code: code, on: on)
        if format == .json { return try Console.printJSON(household) }
        print("\(household.code)  \(household.headName)  \(household.address)")
        print("grid \(household.gridCode)" + (household.blockCode.map { ", block \($0)" } ?? "")
              + "  members \(household.members)  phone \(household.phone ?? "–")  tags \(household.tags.isEmpty ? "–" : household.tags.joined(separator: ";"))")
        if let schedule = household.schedule {
            print("every \(schedule.intervalDays) days; last met \(schedule.lastMet?.description ?? "never"); due \(schedule.dueOn)"
                  + (schedule.overdueDays > 0 ? ", overdue by \(schedule.overdueDays) days" : schedule.covered ? ", covered" : ""))
        }
        var table = TextTable(headers: ["date", "visitor", "method", "outcome", "note"], alignments: [.left, .left, .left, .left, .left])
        table.rows = household.recentVisits.map { [$0.visitedOn.description, $0.visitorId, $0.method.rawValue, $0.outcome.rawValue, $0.note] }
        Console.write(table.render())
    }
}
