import ArgumentParser
import Foundation
import GridbookCore

extension ExportEncoding: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {}

/// `gridbook export DIR`: the seed files back out, for a township to open and correct.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the seed files (units.csv, people.csv, …) of the database or of one unit's part of it.",
        discussion: """
            The files are what `gridbook import` reads: importing them into an empty database gives \
            the same records, and into this one changes nothing. UTF-8 files start with a byte-order \
            mark so that Excel opens them as UTF-8; --encoding gb18030 writes what WPS and Excel in \
            China write themselves. Phone and ID numbers are masked unless --reveal, which a county \
            admin (--as) may ask for and which is audited.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The folder to write into (made when missing; files of the same names are replaced).")
    var directory: String

    @Option(help: "csv, or xlsx (one workbook per file, every cell text).")
    var format: ExportFormat = .csv

    @Option(help: "For CSV: utf-8 (with a byte-order mark) or gb18030.")
    var encoding: ExportEncoding = .utf8

    @Option(help: "Only this unit's part: the unit, the units above it, everything under it, the people on duty there and their visits.")
    var unit: String?

    @Flag(help: "Phone and ID numbers in full (a county admin, --as; audited).")
    var reveal = false

    func run() async throws {
        let database = try await global.open()
        var caller: Caller?
        if reveal {
            guard let person = global.asPerson else {
                throw CLIError("--reveal needs --as PERSON, a county admin: an unmasked export is audited in their name")
            }
            guard let found = try await database.caller(person: person) else { throw CLIError("--as \(person): no such person") }
            caller = found
        }
        let progress = ProgressLine()
        defer { progress.finish() }
        let summary = try await database.exportSeeds(to: URL(fileURLWithPath: directory), format: format, encoding: encoding, unit: unit, revealTo: caller,
                                                     by: global.actor, progress: { step, fraction in progress.update(step, fraction) })
        progress.finish()
        for file in summary.files {
            print("\(file.name): \(file.rows) rows")
        }
        if !summary.groupsLeftOut.isEmpty {
            Console.error("party groups left out (they also pair grids outside \(unit ?? "the unit")): "
                          + summary.groupsLeftOut.joined(separator: ", "))
        }
        Console.error("exported to \(directory)" + (reveal ? " with personal data in full (audited)" : "; phone and ID numbers masked"))
    }
}
