import ArgumentParser
import Foundation
import GridbookCore

/// `gridbook risk …`: the risk register.
struct RiskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "The risk register: risks and hazards found in the grids.",
        subcommands: [RiskAddCommand.self, RiskListCommand.self, RiskShowCommand.self, RiskUpdateCommand.self, RiskFollowUpCommand.self,
                      RiskPromoteCommand.self]
    )
}

/// `gridbook risk add`: reports a risk.
struct RiskAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Report a risk in a grid or at a household.",
        discussion: "The first review is due 1 (red), 3 (orange), 7 (yellow) or 30 (blue) days after the report unless --review-due is given."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The grid (or give --household: the risk takes its grid).")
    var unit: String?

    @Option(help: "The household it concerns.")
    var household: String?

    @Option(help: "The issue category (neighbour, land, fraud, mental_health, …).")
    var category: String

    @Option(help: "red, orange, yellow or blue.")
    var level: RiskLevel

    @Option(help: "A short title.")
    var title: String

    @Option(help: "What was found.")
    var description: String = ""

    @Option(help: "visit, patrol, report or hotline.")
    var source: RiskSource = .patrol

    @Option(name: .customLong("reported-by"), help: "Who found it (default: --as).")
    var reportedBy: String?

    @Option(name: .customLong("review-due"), help: "The first review date, YYYY-MM-DD.")
    var reviewDue: LocalDate?

    @Option(help: "table or json.")
    var format: RecordFormat = .table

    func run() async throws {
        let risk = try await global.open().addRisk(
            NewRisk(unitCode: unit, householdCode: household, category: category, level: level, title: title,
                    description: description, source: source, reportedBy: reportedBy, reviewDue: reviewDue),
            by: global.actor
        )
        if format == .json { return try Console.printJSON(risk) }
        print("reported risk \(risk.id): \(risk.level.rawValue) \(risk.title) in \(risk.unitCode); review due \(risk.reviewDue)")
    }
}

/// `gridbook risk list`: risks by filter, most urgent first.
struct RiskListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List risks, most urgent first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only risks in grids at or under this unit.")
    var unit: String?

    @Option(help: "open, monitoring, resolved or promoted.")
    var status: RiskStatus?

    @Option(help: "red, orange, yellow or blue.")
    var level: RiskLevel?

    @Option(help: "An issue category.")
    var category: String?

    @Flag(name: .customLong("review-overdue"), help: "Only open or monitored risks not reviewed on time.")
    var reviewOverdue = false

    @OptionGroup var paging: PageOptions

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let risks = try await global.open().risks(RiskFilter(unitCode: unit, status: status, level: level, category: category,
                                                             reviewOverdue: reviewOverdue), page: paging.request())
        try ListOutput(page: risks, columns: [
            .init(header: "id") { $0.id },
            .init(header: "level") { $0.level.rawValue },
            .init(header: "status") { $0.status.rawValue },
            .init(header: "category") { $0.category },
            .init(header: "grid") { $0.unitCode },
            .init(header: "household") { $0.householdCode ?? "" },
            .init(header: "title") { $0.title },
            .init(header: "review due") { $0.reviewDue.description },
        ]).print(format)
    }
}

/// `gridbook risk show ID`: a risk and its follow-ups.
struct RiskShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a risk and its follow-ups.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The risk's id.")
    var id: String

    @Option(help: "table or json.")
    var format: RecordFormat = .table

    func run() async throws {
        let detail = try await global.open().risk(id: id)
        if format == .json { return try Console.printJSON(detail) }
        let risk = detail.risk
        print("\(risk.id)  \(risk.level.rawValue)  \(risk.status.rawValue)  \(risk.category)  \(risk.title)")
        print("grid \(risk.unitCode)" + (risk.householdCode.map { ", household \($0)" } ?? "")
              + "; reported by \(risk.reportedBy) at \(risk.reportedAt) (\(risk.source.rawValue)); review due \(risk.reviewDue)"
              + (risk.caseId.map { "; case \($0)" } ?? ""))
        if !risk.description.isEmpty { print(risk.description) }
        var table = TextTable(headers: ["at", "person", "note"], alignments: [.left, .left, .left])
        table.rows = detail.followUps.map { [$0.at, $0.personId, $0.note] }
        Console.write(table.render())
    }
}

/// `gridbook risk update ID`: status or level.
struct RiskUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a risk's status (open ⇄ monitoring → resolved; resolved → open) or level."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The risk's id.")
    var id: String

    @Option(help: "open, monitoring or resolved.")
    var status: RiskStatus?

    @Option(help: "red, orange, yellow or blue.")
    var level: RiskLevel?

    @Option(help: "A note, recorded as a follow-up by --as.")
    var note: String?

    func validate() throws {
        guard status != nil || level != nil || note != nil else { throw ValidationError("give --status, --level or --note") }
    }

    @Option(help: "table or json (the risk, as PATCH /api/v1/risks/{id} answers it).")
    var format: RecordFormat = .table

    func run() async throws {
        let risk = try await global.open().updateRisk(id: id, status: status, level: level, note: note, by: global.actor)
        if format == .json { return try Console.printJSON(risk) }
        print("risk \(risk.id) is \(risk.status.rawValue), \(risk.level.rawValue); review due \(risk.reviewDue)")
    }
}

/// `gridbook risk follow-up ID`: who looked at a risk and what they found.
struct RiskFollowUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "follow-up", abstract: "Record a follow-up on a risk (it counts as a review).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The risk's id.")
    var id: String

    @Option(help: "Who followed up (default: --as).")
    var person: String?

    @Option(help: "What they found.")
    var note: String

    @Option(help: "table or json (the risk, as PATCH /api/v1/risks/{id} with a note answers it).")
    var format: RecordFormat = .table

    func run() async throws {
        guard let person = person ?? global.actor.personId else { throw CLIError("say who followed up: --person ID or --as ID") }
        let risk = try await global.open().followUpRisk(id: id, person: person, note: note, by: global.actor)
        if format == .json { return try Console.printJSON(risk) }
        print("followed up risk \(risk.id); next review due \(risk.reviewDue)")
    }
}

extension RiskLevel: ExpressibleByArgument {}
extension RiskStatus: ExpressibleByArgument {}
extension RiskSource: ExpressibleByArgument {}
