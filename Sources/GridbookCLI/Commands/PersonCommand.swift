import ArgumentParser
import GridbookCore

/// `gridbook person …`: people and their duties (phone and ID numbers masked).
struct PersonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "person",
        abstract: "People and their duties (phone and ID numbers masked).",
        subcommands: [PersonListCommand.self, PersonShowCommand.self]
    )
}

/// `gridbook person list`: people, optionally those with a duty under a unit.
struct PersonListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List people.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only people with a duty at or under this unit.")
    var unit: String?

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let people = try await global.open().people(under: unit)
        try ListOutput(items: people, columns: [
            .init(header: "id") { $0.id },
            .init(header: "name") { $0.name },
            .init(header: "phone") { $0.phone ?? "" },
            .init(header: "active duties") { $0.duties.filter(\.active).map { "\($0.role.rawValue) \($0.unitName)" }.joined(separator: "; ") },
        ]).print(format)
    }
}

/// `gridbook person show ID`: one person and their duties.
struct PersonShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a person and their duties.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The person's id.")
    var id: String

    @Option(help: "table or json.")
    var format: RecordFormat = .table

    func run() async throws {
        let person = try await global.open().person(id: id)
        if format == .json { return try Console.printJSON(person) }
        print("\(person.name) (\(person.id))  phone \(person.phone ?? "–")  ID \(person.idNumber ?? "–")")
        var table = TextTable(headers: ["role", "unit", "since", "until"], alignments: [.left, .left, .left, .left])
        table.rows = person.duties.map { [$0.role.rawValue, "\($0.unitName) \($0.unitCode)", $0.since.description, $0.until?.description ?? ""] }
        Console.write(table.render())
    }
}
