import ArgumentParser
import GridbookCore

/// `gridbook init`: creates an empty database.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create an empty database.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let database = try global.open(create: true)
        print("database ready: \(database.path ?? global.databasePath)")
    }
}
