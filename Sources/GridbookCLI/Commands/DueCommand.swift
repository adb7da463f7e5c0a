import ArgumentParser
import Foundation
import GridbookCore

/// `gridbook due`: the households to visit, most overdue first.
struct DueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due",
        abstract: "Households due for a visit under a unit, by due date.",
        discussion: "Lists households whose next visit is due before --on plus --horizon days (SPEC section 3)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The unit (a grid for a grid member's walk, or any unit above).")
    var unit: String

    @Option(help: "The date, YYYY-MM-DD (default: today).")
    var on: LocalDate?

    @Option(help: "Also list households due within this many days.")
    var horizon: Int = 7

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    @OptionGroup var paging: PageOptions

    func validate() throws {
        guard (0...AppDatabase.maxHorizon).contains(horizon) else {
            throw ValidationError("--horizon must be from 0 to \(AppDatabase.maxHorizon) days")
        }
    }

    func run() async throws {
        let database = try await global.open()
        let page = try await database.dueList(unitCode: unit, on: on, horizon: horizon, page: paging.request())
        if format == .json { return try Console.printJSON(page) }
        let items = page.items
        if let next = page.next { Console.error("(more: --after '\(next)')") }
        let date = if let on { on } else { try await database.today() }
        let members = try await database.gridMembers(of: items.map(\.gridCode), on: date)
        let headers = ["household", "grid", "due on", "overdue days", "interval", "last met", "grid member"]
        let rows = items.map { item in
            [item.householdCode, item.gridCode, item.dueOn.description, "\(item.overdueDays)", "\(item.intervalDays)",
             item.lastMet?.description ?? "never", members[item.gridCode]?.joined(separator: "、") ?? "(none)"]
        }
        if format == .csv { return Console.write(CSVWriter.render([headers] + rows)) }
        var table = TextTable(headers: headers, alignments: [.left, .left, .left, .right, .right, .left, .left])
        table.rows = rows
        Console.write(table.render())
        print("\(items.count) households due before \(date.adding(days: horizon)) (\(items.filter { $0.overdueDays > 0 }.count) overdue)")
    }
}
