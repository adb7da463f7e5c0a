import ArgumentParser
import GridbookAPI
import GridbookCore

/// `gridbook login-code --person ID`: a one-time code to sign in on the pages with.
struct LoginCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login-code",
        abstract: "Issue a one-time sign-in code (8 digits, single use) for a person; it is printed once.",
        discussion: """
            The person opens the server's pages (/ on a phone or a laptop), types their person id \
            and the code, and stays signed in for 30 days. A newer code replaces one not yet used; \
            five wrong tries lock a code.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The person who will sign in.")
    var person: String

    @Option(help: "Minutes the code stays valid.")
    var minutes: Int = LoginCode.defaultMinutes

    func run() async throws {
        let (code, record) = try await global.open().issueLoginCode(person: person, minutes: minutes, by: global.actor)
        print(code)
        Console.error("sign-in code for \(person), valid until \(record.expiresAt), once; it is not shown again")
    }
}

/// `gridbook session …`: browser sessions.
struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Browser sessions (signed in with a code): list, revoke.",
        subcommands: [SessionListCommand.self, SessionRevokeCommand.self]
    )
}

/// `gridbook session list [--person ID]`.
struct SessionListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List sessions: ids, people, expiry, last use (never the cookies).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this person's sessions.")
    var person: String?

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let sessions = try await global.open().sessions(person: person).map(SessionSummary.init)
        try ListOutput(items: sessions, columns: [
            .init(header: "id", alignment: .right) { "\($0.id)" },
            .init(header: "person") { $0.person },
            .init(header: "created") { $0.created },
            .init(header: "expires") { $0.expires },
            .init(header: "revoked") { $0.revoked ?? "" },
            .init(header: "last used") { $0.lastUsed ?? "never" },
            .init(header: "browser") { $0.browser },
        ]).print(format)
    }
}

/// `gridbook session revoke ID`.
struct SessionRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a session by its id (see session list).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The session's id.")
    var id: Int64

    func run() async throws {
        try await global.open().revokeSession(id: id, by: global.actor)
        print("session \(id) revoked (a running server refuses it within \(serverCacheSeconds) seconds)")
    }
}

/// A session as listed: no hash, no CSRF token.
struct SessionSummary: Encodable, Sendable {
    var id: Int64
    var person: String
    var created: String
    var expires: String
    var revoked: String?
    var lastUsed: String?
    var browser: String

    init(_ session: BrowserSession) {
        id = session.id ?? 0
        person = session.personId
        created = session.createdAt
        expires = session.expiresAt
        revoked = session.revokedAt
        lastUsed = session.lastUsedAt
        browser = String(session.userAgent.prefix(40))
    }
}
