import ArgumentParser
import Foundation
import GridbookCore

/// `gridbook visit …`: household visits.
struct VisitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visit",
        abstract: "Log and list household visits.",
        subcommands: [VisitLogCommand.self, VisitListCommand.self]
    )
}

/// `gridbook visit log`: records one visit.
struct VisitLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Log a visit to a household.",
        discussion: "Only a visit with outcome met resets the household's schedule. Sending the same --id again is safe."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The household's code.")
    var household: String

    @Option(help: "The visitor's person id (they must hold a duty covering the household).")
    var visitor: String

    @Option(name: .customLong("at"), help: "When, ISO 8601 with offset (2026-03-02T09:15:00+08:00).")
    var visitedAt: String

    @Option(help: "met, absent or refused.")
    var outcome: VisitOutcome

    @Option(help: "door, phone, video or other.")
    var method: VisitMethod

    @Option(help: "What was found.")
    var note: String = ""

    @Option(help: "The visit's UUID (made up when absent); retries with the same id store one visit.")
    var id: String?

    @Option(help: ArgumentHelp("A risk found on the visit, as CATEGORY,LEVEL,TITLE (repeatable).", valueName: "finding"))
    var finding: [String] = []

    func validate() throws {
        for text in finding where Self.parseFinding(text) == nil {
            throw ValidationError("--finding \(text) is not CATEGORY,LEVEL,TITLE (level red, orange, yellow or blue)")
        }
    }

    /// A finding from `CATEGORY,LEVEL,TITLE`.
    static func parseFinding(_ text: String) -> NewRisk? {
        let parts = text.split(separator: ",", maxSplits: 2).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 3, let level = RiskLevel(rawValue: parts[1]), !parts[2].isEmpty else { return nil }
        return NewRisk(category: parts[0], level: level, title: parts[2], source: .visit)
    }

    @Option(help: "table or json.")
    var format: RecordFormat = .table

    func run() async throws {
        let database = try await global.open()
        let result = try await database.logVisit(NewVisit(id: id, householdCode: household, visitorId: visitor, visitedAt: visitedAt,
                                                    method: method, outcome: outcome, note: note,
                                                    findings: finding.compactMap(Self.parseFinding)), by: global.actor)
        switch format {
        case .json:
            try Console.printJSON(try await database.logged(result))
        case .table:
            let visit = result.visit
            switch result {
            case .created(_, let findings):
                print("logged visit \(visit.id): \(visit.householdCode) on \(visit.visitedOn), \(visit.outcome.rawValue)")
                for risk in findings { print("reported risk \(risk.id): \(risk.level.rawValue) \(risk.title); review due \(risk.reviewDue)") }
            case .existing: print("visit \(visit.id) was already logged; nothing changed")
            }
        }
    }
}

/// `gridbook visit list`: visits under a unit.
struct VisitListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List visits under a unit.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The unit (a grid, a village, …).")
    var unit: String

    @Option(help: "From this date, YYYY-MM-DD.")
    var from: LocalDate?

    @Option(help: "Up to this date, YYYY-MM-DD.")
    var to: LocalDate?

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    @OptionGroup var paging: PageOptions

    func run() async throws {
        let visits = try await global.open().visits(under: unit, from: from, to: to, page: paging.request())
        try ListOutput(page: visits, columns: [
            .init(header: "date") { $0.visitedOn.description },
            .init(header: "household") { $0.householdCode },
            .init(header: "visitor") { $0.visitorId },
            .init(header: "method") { $0.method.rawValue },
            .init(header: "outcome") { $0.outcome.rawValue },
            .init(header: "note") { $0.note },
        ]).print(format)
        if format == .table { print("\(visits.items.count) visits") }
    }
}

extension VisitOutcome: ExpressibleByArgument {}
extension VisitMethod: ExpressibleByArgument {}

extension LocalDate: ExpressibleByArgument {
    /// Reads `YYYY-MM-DD` from the command line.
    public init?(argument: String) {
        self.init(argument)
    }
}
