import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GridbookAPI
import GridbookCore
import GridbookWeb
import Hummingbird
import Logging
import ServiceLifecycle

/// `gridbook serve`: the JSON API (SPEC section 6) over the database.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API over the database.",
        discussion: """
            Ctrl-C or SIGTERM stops it: it accepts no new connection, lets requests under way finish for at most \
            --drain-seconds, then closes what is left and exits 0.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port: Int = 8080

    @Option(help: "Close a connection idle this many seconds (nothing read or written: also one that sent half a request).")
    var idleTimeout: Int = 30

    @Option(help: "Connections served at once; one more is answered 503 too_many_connections with Retry-After and closed (default: 10000, or fewer when the process may not open that many files).")
    var maxConnections: Int?

    @Option(help: "On SIGTERM or Ctrl-C, seconds to let requests under way finish before closing what is left.")
    var drainSeconds: Int = 10

    @Option(help: ArgumentHelp("Minutes between supervision rounds, which give cases the cards they earned.", valueName: "minutes"))
    var superviseMinutes: Int = 10

    @Option(help: "Take a backup every this many hours (with --backup-dir), the first one at start.")
    var backupEvery: Double?

    @Option(help: "Where scheduled backups go (gridbook-YYYYMMDD-HHMMSS.sqlite, UTC).")
    var backupDir: String?

    @Option(help: "How many scheduled backups to keep; older ones are removed.")
    var keep: Int = 7

    @Flag(help: "Mark the session cookie Secure: for a server behind TLS (a reverse proxy, see the README).")
    var secureCookies = false

    @Option(help: "Days a browser session lasts once signed in with a code.")
    var sessionDays: Int = BrowserSession.defaultDays

    @Option(help: ArgumentHelp("Serve the pages' static files from this folder (holding app/ and site/) instead of the built-in copies.", visibility: .hidden))
    var webDir: String?

    @Option(help: "Log lines as text or json (one object a line).")
    var logFormat: LogFormat = .text

    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
        guard (1...3_600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be from 1 to 3600 seconds") }
        if let maxConnections, !(1...1_000_000).contains(maxConnections) {
            throw ValidationError("--max-connections must be from 1 to 1000000")
        }
        guard (0...3_600).contains(drainSeconds) else { throw ValidationError("--drain-seconds must be from 0 to 3600") }
        guard (backupEvery == nil) == (backupDir == nil) else { throw ValidationError("--backup-every and --backup-dir go together") }
        if let backupEvery, !(0.01...720).contains(backupEvery) { throw ValidationError("--backup-every must be from 0.01 to 720 hours") }
        guard (1...1_000).contains(keep) else { throw ValidationError("--keep must be from 1 to 1000") }
        guard (1...365).contains(sessionDays) else { throw ValidationError("--session-days must be from 1 to 365") }
    }

    /// 10,000 connections, or as many as the process may open files for less 256 (the database's
    /// files, logs), once its soft limit is raised to the hard one: the cap is reached before the
    /// process runs out of files, which would stop it answering anyone.
    static func defaultMaxConnections() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 768 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return max(16, min(10_000, Int(clamping: limit.rlim_cur) - 512))
    }

    func run() async throws {
        let database = try await global.open(server: true)
        var logger = switch logFormat {
        case .text: Logger(label: "gridbook.api") { StreamLogHandler.standardError(label: $0) }
        case .json: Logger(label: "gridbook.api") { JSONLogHandler(label: $0) }
        }
        // Every request is logged at info; --verbose adds Hummingbird's own debug lines.
        logger.logLevel = global.verbose ? .debug : .info
        let limits = ConnectionLimits(idleTimeout: .seconds(idleTimeout), maxConnections: maxConnections ?? Self.defaultMaxConnections())
        let router = buildGridbookRouter(database: database, cacheLifetime: .seconds(serverCacheSeconds),
                                         web: WebOptions(secureCookies: secureCookies, sessionDays: sessionDays, directory: webDir))
        let app = buildApplication(database: database, router: router, host: host, port: port, limits: limits, logger: logger)
        if database.isReadOnly {
            logger.notice("the database is read-only here: reads are served, writes answer 503 read_only")
        }
        // The WAL is checkpointed here, twice a second, never inside a request's commit; small
        // checkpoints often hold up the writer less than large ones seldom (POST p99 41 ms
        // against 52 ms every 2 s, BENCHMARKS.md).
        let checkpoints = try (database.isReadOnly ? nil : database.checkpointConnection()).map { connection in
            Task.detached(priority: .background) { [logger] in
                // A restart is tried at every turn: waiting 10 s after one that could not finish let
                // the next one wait on far more, and idle visit p99 rose to 350-820 ms
                // (BENCHMARKS.md). A turn that could not run or restart is said at debug level.
                let began = ContinuousClock.now
                var reporter = CheckpointReporter()
                while !Task.isCancelled {
                    let started = ContinuousClock.now
                    let outcome: Result<AppDatabase.Checkpoint, any Error>
                    do { outcome = .success(try await database.checkpoint(using: connection)) } catch { outcome = .failure(error) }
                    let elapsed = (ContinuousClock.now - started).components
                    let milliseconds = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
                    for line in reporter.lines(for: outcome, at: ContinuousClock.now - began) {
                        var metadata = Logger.Metadata()
                        for (key, value) in line.metadata { metadata[key] = "\(value)" }
                        if line.level == .debug { metadata["ms"] = "\(milliseconds)" }
                        logger.log(level: line.level, "\(line.message)", metadata: metadata)
                    }
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
        }
        defer { checkpoints?.cancel() }
        // Another process's commits (an import or a visit from the command line) move the
        // generation that kept answers (due pages) are checked against.
        let watch = try database.watchConnection().map { connection in
            Task.detached(priority: .background) { [logger] in
                var failed = false
                while !Task.isCancelled {
                    do {
                        try await database.noteOutsideCommits(using: connection)
                        failed = false
                    } catch {
                        // Nothing kept can be trusted while the check fails: keep moving the generation.
                        database.generation.advance()
                        if !failed { logger.warning("could not check for other writers", metadata: ["error": "\(error)"]) }
                        failed = true
                    }
                    try? await Task.sleep(for: serverWatchInterval)
                }
            }
        }
        defer { watch?.cancel() }
        let backups = backupEvery.flatMap { hours in backupDir.map { (hours, BackupRotation(directory: $0, keep: keep)) } }.map { hours, rotation in
            Task.detached(priority: .background) { [logger] in
                while !Task.isCancelled {
                    do {
                        let (summary, removed) = try await rotation.take(of: database, at: database.clock.now())
                        logger.info("backup taken", metadata: ["path": "\(summary.path)", "bytes": "\(summary.bytes)",
                                                              "visits": "\(summary.visits)", "removed": "\(removed.joined(separator: ","))"])
                    } catch {
                        logger.warning("backup failed", metadata: ["directory": "\(rotation.directory)", "error": "\(StorageTrouble(error).map { "\($0)" } ?? "\(error)")"])
                    }
                    try? await Task.sleep(for: .seconds(hours * 3600))
                }
            }
        }
        defer { backups?.cancel() }
        // Supervision (督办): cards are given as cases earn them, checked at start and every
        // few minutes (a card is given once; `gridbook supervise` does the same from a cron).
        let supervision = database.isReadOnly ? nil : Task.detached(priority: .background) { [logger] in
            while !Task.isCancelled {
                do {
                    let cards = try await database.supervise()
                    if !cards.isEmpty { logger.info("cards given", metadata: ["cards": "\(cards.count)"]) }
                } catch {
                    logger.warning("supervision failed", metadata: ["error": "\(StorageTrouble(error).map { "\($0)" } ?? "\(error)")"])
                }
                try? await Task.sleep(for: .seconds(superviseMinutes * 60))
            }
        }
        defer { supervision?.cancel() }
        // Webhooks: the feed's events POSTed from the outbox in the database, never to this server itself.
        let listening = ListeningAddress(host: host, port: port)
        let webhooks = database.isReadOnly ? nil : Task.detached(priority: .background) { [logger] in
            await WebhookDeliverer(database: database, server: listening).run(logger: logger)
        }
        defer { webhooks?.cancel() }
        var services = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Past the drain, the server is cancelled: what is still open is closed.
        services.maximumGracefulShutdownDuration = .seconds(drainSeconds)
        services.maximumCancellationDuration = .seconds(5)
        do {
            try await ServiceGroup(configuration: services).run()
            logger.info("stopped")
        } catch {
            throw CLIError("the server stopped: \(error)")
        }
    }
}
