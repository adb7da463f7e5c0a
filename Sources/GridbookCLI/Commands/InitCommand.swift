import ArgumentParser
import GridbookCore

/// `gridbook init`: creates an empty database.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create an empty database.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let database = try await global.open(create: true)
        print("database ready: \(database.path ?? global.databasePath)")
    }
}
