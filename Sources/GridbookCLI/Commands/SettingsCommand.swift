import ArgumentParser
import GridbookCore

/// `gridbook settings …`: the deployment's settings.
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "The deployment's settings.",
        subcommands: [TimeZoneCommand.self]
    )
}

/// `gridbook settings time-zone [ZONE]`: shows or changes the time zone dates are taken in.
struct TimeZoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time-zone",
        abstract: "Show or change the time zone every local date is taken in (default Asia/Shanghai).",
        discussion: "Changing it recomputes the local date of every visit and each household's latest met date."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The new time zone, an IANA name such as Asia/Shanghai or Asia/Urumqi.")
    var zone: String?

    func run() throws {
        let database = try global.open()
        if let zone {
            try database.setTimeZone(zone, by: global.actor)
            print("time zone set to \(try database.timeZoneIdentifier()); visit dates recomputed")
        } else {
            print(try database.timeZoneIdentifier())
        }
    }
}
