import ArgumentParser
import Foundation
import GridbookCore

/// `gridbook supervise`: gives every unfinished case the cards it has earned (for a cron; the
/// server does the same as it runs).
struct SuperviseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervise",
        abstract: "Give overdue and slipping cases their yellow and red cards (督办), each once.",
        discussion: """
            Yellow: not dispatched by the first working day after acceptance, or 80% of the time limit passed \
            unfinished. Red: past the deadline, unfinished. Each card goes into the case's ledger and the feed \
            (case.supervised) once; running this again gives nothing new.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let cards = try await global.open().supervise(by: global.actor)
        let headers = ["case", "card", "reason"]
        let rows = cards.map { [$0.caseId, $0.color.rawValue, $0.reason] }
        switch format {
        case .json:
            try Console.printJSON(cards)
        case .csv:
            // No cards is the header alone, as any empty CSV list.
            Console.write(CSVWriter.render([headers] + rows))
        case .table:
            guard !cards.isEmpty else { return Console.write("no new cards\n") }
            var table = TextTable(headers: headers, alignments: [.left, .left, .left])
            table.rows = rows
            Console.write(table.render())
        }
    }
}

/// `gridbook settings case-deadlines [calendar|working_days]`: how case time limits are counted.
struct CaseDeadlinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case-deadlines",
        abstract: "Show or set whether case time limits by level (7, 15, 30) count calendar days or working days.",
        discussion: "Working days are Monday to Friday, minus the holidays and plus the make-up days of holidays.csv."
    )

    /// The two ways of counting.
    enum Counting: String, ExpressibleByArgument, CaseIterable {
        case calendar
        case workingDays = "working_days"
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "calendar or working_days.")
    var counting: Counting?

    func run() async throws {
        let database = try await global.open()
        if let counting { try await database.setCaseDeadlines(inWorkingDays: counting == .workingDays, by: global.actor) }
        Console.write((try await database.caseDeadlinesInWorkingDays() ? Counting.workingDays.rawValue : Counting.calendar.rawValue) + "\n")
    }
}
