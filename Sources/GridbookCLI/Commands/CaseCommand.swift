import ArgumentParser
import Foundation
import GridbookCore

/// `gridbook case …`: the county's case ledger (一本账).
struct CaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Dispute cases and their ledger (township staff, mediators and county admins; give --as).",
        subcommands: [CaseAddCommand.self, CaseListCommand.self, CaseShowCommand.self, CaseActCommand.self]
    )
}

/// `gridbook case add`: files a case directly.
struct CaseAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "File a case (walk-in, phone, letter, online, hotline, chat group).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "A short title.")
    var title: String

    @Option(help: "The issue category (neighbour, family, land, labour, …).")
    var category: String

    @Option(help: "The unit where it arose.")
    var unit: String

    @Option(help: "The parties, as text.")
    var parties: String = ""

    @Option(help: "walk_in, phone, letter, online, hotline or chat_group.")
    var source: CaseSource = .walkIn

    @Option(help: "village, township or county (default village).")
    var level: CaseLevel?

    @Option(name: .customLong("reported-at"),
            help: ArgumentHelp("When the resident reported it, if earlier (2026-12-01T07:40:00+08:00).", valueName: "time"))
    var reportedAt: String?

    @Option(help: "table or json.")
    var format: RecordFormat = .table

    func run() async throws {
        let reported = try reportedAt.map(NewCase.reportedAt)
        let dispute = try await global.open().fileCase(NewCase(title: title, category: category, unitCode: unit, parties: parties,
                                                         source: source, level: level, reportedAt: reported), by: global.actor)
        if format == .json { return try Console.printJSON(dispute) }
        print("accepted case \(dispute.id) at the \(dispute.level.rawValue) level; deadline \(dispute.deadline)")
    }
}

/// `gridbook case list`: cases under a unit.
struct CaseListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List cases.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only cases arising at or under this unit.")
    var unit: String?

    @Option(help: "accepted, assigned, in_progress, resolved, unresolved or closed.")
    var status: CaseStatus?

    @Flag(help: "Only cases past their deadline and not finished.")
    var overdue = false

    @Option(help: "Only cases given a supervision card of this colour: yellow or red.")
    var carded: CardColor?

    @OptionGroup var paging: PageOptions

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let database = try await global.open()
        let overdueOn = overdue ? try await database.today() : nil
        let cases = try await database.cases(under: unit, status: status, overdueOn: overdueOn, carded: carded, page: paging.request())
        try ListOutput(page: cases, columns: [
            .init(header: "id") { $0.id },
            .init(header: "status") { $0.status.rawValue },
            .init(header: "level") { $0.level.rawValue },
            .init(header: "category") { $0.category },
            .init(header: "unit") { $0.unitCode },
            .init(header: "title") { $0.title },
            .init(header: "assignee") { $0.assignee ?? "" },
            .init(header: "deadline") { $0.deadline.description },
        ]).print(format)
    }
}

/// `gridbook case show ID`: a case, when it was reported (local time) and first responded to,
/// its ledger and the actions allowed next.
struct CaseShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a case and its ledger.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The case's id (2026-000123).")
    var id: String

    @Option(help: "table or json.")
    var format: RecordFormat = .table

    func run() async throws {
        let database = try await global.open()
        let detail = try await database.caseDetail(id: id)
        if format == .json { return try Console.printJSON(detail) }
        let dispute = detail.dispute
        var calendar = try await database.read { db in try Settings.calendar(db) }
        let reported = dispute.reportedAt.map { at in Timestamp(at).map { calendar.localTime($0) } ?? at } ?? "–"
        let firstResponse = DurationText.minutes(dispute.firstResponseSeconds(ledger: detail.ledger))
        Console.write("\(dispute.id)  \(dispute.status.rawValue)  \(dispute.level.rawValue)  \(dispute.track.rawValue)  \(dispute.category)  \(dispute.title)\n")
        Console.write("unit \(dispute.unitCode); parties \(dispute.parties.isEmpty ? "–" : dispute.parties); assignee \(dispute.assignee ?? "–"); deadline \(dispute.deadline)"
                      + (dispute.satisfaction.map { "; satisfaction \($0.rawValue)" } ?? "") + "\n")
        Console.write("reported \(reported); first response \(firstResponse)\n")
        var table = TextTable(headers: ["at", "actor", "action", "note"], alignments: [.left, .left, .left, .left])
        table.rows = detail.ledger.map { [$0.at, $0.actor, $0.action, $0.note] }
        Console.write(table.render())
        Console.write("next: " + detail.allowedActions.map(\.rawValue).joined(separator: ", ") + "\n")
    }
}

/// `gridbook case act ID ACTION`: one step of a case.
struct CaseActCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "act",
        abstract: "Act on a case: respond, dispatch, start, note, resolve, fail, escalate, feedback, follow_up, close, reopen."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The case's id.")
    var id: String

    @Argument(help: "The action.")
    var action: CaseAction

    @Option(help: "What was done or said.")
    var note: String = ""

    @Option(help: "dispatch: the responsible unit or department and person.")
    var assignee: String?

    @Option(help: "dispatch: the deadline, YYYY-MM-DD (default by level: 7, 15 or 30 days).")
    var deadline: LocalDate?

    @Option(name: .customLong("deadline-working-days"), help: ArgumentHelp("dispatch: the deadline as N working days from today.", valueName: "n"))
    var deadlineWorkingDays: Int?

    @Option(help: "escalate: judicial_confirmation, litigation or petition instead of the next level up.")
    var track: CaseTrack?

    @Option(help: "follow_up: satisfied, basically_satisfied or dissatisfied.")
    var satisfaction: Satisfaction?

    @Option(help: "table or json (the case, as POST /api/v1/cases/{id}/actions answers it).")
    var format: RecordFormat = .table

    func run() async throws {
        let dispute = try await global.open().act(onCase: id, CaseActionInput(action, note: note, assignee: assignee, deadline: deadline,
                                                                        deadlineWorkingDays: deadlineWorkingDays, track: track, satisfaction: satisfaction), by: global.actor)
        if format == .json { return try Console.printJSON(dispute) }
        print("case \(dispute.id): \(action.rawValue) → \(dispute.status.rawValue) (\(dispute.level.rawValue), deadline \(dispute.deadline))")
    }
}

/// `gridbook risk promote ID`: turns a risk into a case.
struct RiskPromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Promote a risk to an accepted case (township staff, mediators, county admins); again returns the same case."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The risk's id.")
    var id: String

    @Option(help: "village, township or county (default village).")
    var level: CaseLevel?

    @Option(help: "table or json (the case, as POST /api/v1/risks/{id}/promote answers it).")
    var format: RecordFormat = .table

    func run() async throws {
        let result = try await global.open().promoteRisk(id: id, level: level, by: global.actor)
        if format == .json {
            switch result {
            case .created(let dispute), .existing(let dispute): return try Console.printJSON(dispute)
            }
        }
        switch result {
        case .created(let dispute): print("risk \(id) promoted to case \(dispute.id); deadline \(dispute.deadline)")
        case .existing(let dispute): print("risk \(id) was promoted before: case \(dispute.id)")
        }
    }
}

extension CaseStatus: ExpressibleByArgument {}
extension CaseSource: ExpressibleByArgument {}
extension CaseLevel: ExpressibleByArgument {}
extension CaseAction: ExpressibleByArgument {}
extension CaseTrack: ExpressibleByArgument {}
extension CardColor: ExpressibleByArgument {}
extension RankingPeriod: ExpressibleByArgument {}
extension Satisfaction: ExpressibleByArgument {}
