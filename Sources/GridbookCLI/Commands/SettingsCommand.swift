import ArgumentParser
import GridbookCore

/// `gridbook settings …`: the deployment's settings.
struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "The deployment's settings.",
        subcommands: [TimeZoneCommand.self, CaseDeadlinesCommand.self]
    )
}

/// `gridbook settings time-zone [ZONE]`: shows or changes the time zone dates are taken in.
struct TimeZoneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time-zone",
        abstract: "Show or change the time zone every local date is taken in (default Asia/Shanghai).",
        discussion: "Changing it recomputes the local date of every visit and each household's latest met date."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The new time zone, an IANA name such as Asia/Shanghai or Asia/Urumqi.")
    var zone: String?

    func run() async throws {
        let database = try await global.open()
        if let zone {
            try await database.setTimeZone(zone, by: global.actor)
            print("time zone set to \(try await database.timeZoneIdentifier()); visit dates recomputed")
        } else {
            print(try await database.timeZoneIdentifier())
        }
    }
}
