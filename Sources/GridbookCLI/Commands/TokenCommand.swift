import ArgumentParser
import GridbookAPI
import GridbookCore

/// `gridbook token …`: API tokens.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "API tokens: issue (printed once), revoke, list.",
        subcommands: [TokenIssueCommand.self, TokenRevokeCommand.self, TokenListCommand.self]
    )
}

/// `gridbook token issue --person ID`: prints a new token once.
struct TokenIssueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "issue", abstract: "Issue a token for a person; it is printed once and only its hash is kept.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The person the token acts as.")
    var person: String

    @Option(help: "Days until it expires (default: until revoked).")
    var expires: Int?

    func run() async throws {
        let (token, record) = try await global.open().issueToken(person: person, days: expires, by: global.actor)
        print(token)
        Console.error("token \(record.id ?? 0) for \(person)" + (record.expiresAt.map { ", expires \($0)" } ?? "") + "; it is not shown again")
    }
}

/// `gridbook token revoke ID`.
struct TokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by its id (see token list).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The token's id.")
    var id: Int64

    func run() async throws {
        try await global.open().revokeToken(id: id, by: global.actor)
        print("token \(id) revoked (a running server refuses it within \(serverCacheSeconds) seconds)")
    }
}

/// `gridbook token list`: ids, owners, expiry, last use; never the tokens.
struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens: ids, owners, expiry, last use (never the tokens).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let tokens = try await global.open().tokens().map { TokenSummary(token: $0) }
        try ListOutput(items: tokens, columns: [
            .init(header: "id", alignment: .right) { "\($0.id)" },
            .init(header: "person") { $0.person },
            .init(header: "created") { $0.created },
            .init(header: "expires") { $0.expires ?? "never" },
            .init(header: "revoked") { $0.revoked ?? "" },
            .init(header: "last used") { $0.lastUsed ?? "never" },
        ]).print(format)
    }
}

/// A token as listed: no hash.
struct TokenSummary: Encodable, Sendable {
    var id: Int64
    var person: String
    var created: String
    var expires: String?
    var revoked: String?
    var lastUsed: String?

    init(token: APIToken) {
        id = token.id ?? 0
        person = token.personId
        created = token.createdAt
        expires = token.expiresAt
        revoked = token.revokedAt
        lastUsed = token.lastUsedAt
    }
}
