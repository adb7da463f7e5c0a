import ArgumentParser
import GridbookAPI
import GridbookCore
import Hummingbird
import Logging

/// `gridbook serve`: the JSON API (SPEC section 6) over the database.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API over the database (Ctrl-C or SIGTERM stops it after in-flight requests)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port: Int = 8080

    @Option(help: "Log lines as text or json (one object a line).")
    var logFormat: LogFormat = .text

    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
    }

    func run() async throws {
        let database = try await global.open(server: true)
        var logger = switch logFormat {
        case .text: Logger(label: "gridbook.api") { StreamLogHandler.standardError(label: $0) }
        case .json: Logger(label: "gridbook.api") { JSONLogHandler(label: $0) }
        }
        // Every request is logged at info; --verbose adds Hummingbird's own debug lines.
        logger.logLevel = global.verbose ? .debug : .info
        let app = buildApplication(database: database, host: host, port: port, logger: logger)
        // The WAL is checkpointed here, every two seconds, never inside a request's commit.
        let checkpoints = try database.checkpointConnection().map { connection in
            Task.detached(priority: .background) { [logger] in
                while !Task.isCancelled {
                    do {
                        try AppDatabase.checkpoint(using: connection)
                    } catch {
                        logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: .seconds(2))
                }
            }
        }
        defer { checkpoints?.cancel() }
        do {
            try await app.runService()
        } catch {
            throw CLIError("the server stopped: \(error)")
        }
    }
}
