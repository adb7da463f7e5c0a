import ArgumentParser
import Foundation
import GridbookCore

/// `gridbook webhook …`: receivers told of the change feed (`gridbook serve` delivers).
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Webhooks: POST the change feed's events, signed, to other systems (delivered by `gridbook serve`).",
        subcommands: [WebhookAddCommand.self, WebhookListCommand.self, WebhookRemoveCommand.self, WebhookTestCommand.self]
    )
}

/// `gridbook webhook add URL --events … [--unit CODE] [--secret-file F]`.
struct WebhookAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a webhook; without --secret-file a new secret is printed once.",
        discussion: """
            Each event of the feed of the given types (at or under --unit) from now on is POSTed to URL as the feed's JSON, \
            signed with HMAC-SHA256 (see the README's Webhooks section), in feed order, retried for a day.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Where to POST: an http or https URL.")
    var url: String

    @Option(help: ArgumentHelp("Event types, comma-separated: \(Webhook.feedEventTypes.joined(separator: ",")).", valueName: "types"))
    var events: String

    @Option(help: "Only the events of records at or under this unit (default: the whole county).")
    var unit: String?

    @Option(help: "A file holding the secret to sign with (16 to 1024 characters; a final line break is dropped).")
    var secretFile: String?

    @Option(help: ArgumentHelp("Deliver the events after this seq too (default: only the events from now on).", valueName: "seq"))
    var after: Int64?

    func run() async throws {
        let secret: String
        if let secretFile {
            guard let data = FileManager.default.contents(atPath: secretFile) else {
                throw CLIError("--secret-file: cannot read \(secretFile)")
            }
            guard let text = String(data: data, encoding: .utf8) else { throw CLIError("--secret-file: \(secretFile) is not UTF-8 text") }
            secret = String(text.trimmingSuffix { $0 == "\n" || $0 == "\r" })
        } else {
            secret = Webhook.newSecret()
        }
        let hook = try await global.open().addWebhook(url: url, events: events.split(separator: ",").map(String.init), unit: unit,
                                                      secret: secret, after: after, by: global.actor)
        if secretFile == nil { Console.write(secret + "\n") }
        Console.error("webhook \(hook.id ?? 0): \(hook.events) " + (hook.unitCode.map { "under \($0) " } ?? "")
                      + "to \(hook.url), after event \(hook.cursor)"
                      + (secretFile == nil ? "; its secret (above) is not shown again" : ""))
    }
}

extension StringProtocol {
    /// The text without the characters at its end that match.
    fileprivate func trimmingSuffix(while matches: (Character) -> Bool) -> SubSequence {
        var end = endIndex
        while end > startIndex, matches(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}

/// `gridbook webhook list`: each hook and where its delivery stands.
struct WebhookListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List webhooks: events, how far delivered, the event being retried, the failed ones and the last error."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let hooks = try await global.open().webhookSummaries()
        try ListOutput(items: hooks, columns: [
            .init(header: "id", alignment: .right) { "\($0.id)" },
            .init(header: "url") { $0.url },
            .init(header: "events") { $0.events.joined(separator: ",") },
            .init(header: "unit") { $0.unitCode ?? "" },
            .init(header: "delivered", alignment: .right) { "\($0.delivered)" },
            .init(header: "up to seq", alignment: .right) { "\($0.cursor)" },
            .init(header: "retrying") { hook in
                hook.pending.map { pending in
                    pending.attempts == 0 ? "seq \(pending.seq)"
                        : "seq \(pending.seq), \(pending.attempts) attempt\(pending.attempts == 1 ? "" : "s"), next \(pending.nextAttemptAt)"
                } ?? ""
            },
            .init(header: "failed", alignment: .right) { "\($0.failed)" },
            .init(header: "last error") { hook in
                if let pending = hook.pending, !pending.lastError.isEmpty { return pending.lastError }
                return hook.lastFailure.map { "seq \($0.seq): \($0.lastError) (gave up \($0.lastAttemptAt ?? ""))" } ?? ""
            },
        ]).print(format)
    }
}

/// `gridbook webhook remove ID`.
struct WebhookRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a webhook and its undelivered events.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The webhook's id (see webhook list).")
    var id: Int64

    func run() async throws {
        try await global.open().removeWebhook(id: id, by: global.actor)
        Console.write("webhook \(id) removed\n")
    }
}

/// `gridbook webhook test ID`: one synthetic `webhook.test` event, sent now.
struct WebhookTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send the webhook one signed webhook.test event (seq 0) now and print the receiver's answer."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The webhook's id (see webhook list).")
    var id: Int64

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = 5

    func validate() throws {
        guard (0.1...60).contains(timeout) else { throw ValidationError("--timeout must be from 0.1 to 60 seconds") }
    }

    func run() async throws {
        let database = try await global.open()
        let deliverer = WebhookDeliverer(database: database, policy: WebhookPolicy(timeout: .milliseconds(Int(timeout * 1000))))
        let hook = try await database.webhook(id: id)
        let response = try await deliverer.sendTest(hook: id)
        guard response.delivered, let status = response.status else {
            throw CLIError("webhook \(id): \(hook.url): \(response.problem)")
        }
        Console.write("webhook \(id): \(hook.url) answered HTTP \(status)\n")
    }
}
