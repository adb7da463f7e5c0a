import ArgumentParser
import Foundation
import GridbookCore

/// `gridbook audit`: who changed what, oldest first.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The audit log: every write, with when, who, what and which record."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only entries on or after this date, YYYY-MM-DD (UTC).")
    var since: LocalDate?

    @Option(help: "Only entries by this person id (or cli:NAME for the command line's operator).")
    var person: String?

    @Option(help: "At most this many entries.")
    var limit: Int = 1000

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let since = since.map { Date(timeIntervalSince1970: TimeInterval($0.dayNumber * 86_400)) }
        let entries = try await global.open().auditEntries(since: since, actor: person, limit: max(1, limit))
        try ListOutput(items: entries, columns: [
            .init(header: "at") { $0.at },
            .init(header: "actor") { $0.actor },
            .init(header: "action") { $0.action },
            .init(header: "record") { "\($0.recordType) \($0.recordId)" },
            .init(header: "detail") { $0.detail },
        ]).print(format)
    }
}

/// `gridbook events`: the change feed other systems pull, oldest first.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "The change feed: visit.logged, risk.created, risk.updated, risk.promoted, case.created, case.updated, case.supervised."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only events after this sequence number.")
    var after: Int64 = 0

    @Option(help: "At most this many events.")
    var limit: Int = 100

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let page = try await global.open().feed(after: after, limit: max(1, min(limit, 10_000)))
        // JSON is the API's page, cursor included; a table or CSV lists the events.
        if format == .json { return try Console.printJSON(page) }
        try ListOutput(page: page, columns: [
            .init(header: "seq", alignment: .right) { "\($0.seq)" },
            .init(header: "at") { $0.at },
            .init(header: "type") { $0.type },
            .init(header: "id") { $0.id },
        ]).print(format)
    }
}
