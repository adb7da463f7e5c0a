import Foundation
import GRDB

/// A receiver of the change feed's events (`gridbook webhook add`): each event of its types, at
/// or under its unit, is POSTed to its URL, signed with its secret, in feed order.
public struct Webhook: Codable, Equatable, Sendable, Identifiable {
    public var id: Int64?
    /// An `http` or `https` URL.
    public var url: String
    /// The event types it receives, comma-separated (`visit.logged,risk.created`).
    public var events: String
    /// Only the events of records at or under this unit; nil for the whole county.
    public var unitCode: String?
    /// The key of its signatures; never shown after it is added.
    public var secret: String
    /// ISO 8601 UTC.
    public var createdAt: String
    /// Every event up to this seq is settled for the hook: delivered, given up on, or not its own.
    public var cursor: Int64
    /// Events delivered (answered 2xx) so far.
    public var delivered: Int
    /// ISO 8601 UTC.
    public var lastDeliveredAt: String?

    /// The event types it receives.
    public var eventTypes: [String] { events.split(separator: ",").map(String.init) }
}

extension Webhook: GridbookRecord, MutablePersistableRecord {
    public static let databaseTableName = "webhooks"

    /// Keeps the row id SQLite gave the hook.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The table's columns.
    public enum Columns {
        public static let id = Column("id")
        public static let url = Column("url")
        public static let events = Column("events")
        public static let unitCode = Column("unit_code")
        public static let secret = Column("secret")
        public static let createdAt = Column("created_at")
        public static let cursor = Column("cursor")
        public static let delivered = Column("delivered")
        public static let lastDeliveredAt = Column("last_delivered_at")
    }
}

/// Where an event stands in a hook's outbox.
public enum WebhookDeliveryStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Being delivered: sent again when `next_attempt_at` comes.
    case pending
    /// Given up on after retrying for ``WebhookPolicy/giveUpAfter``; delivery moved on.
    case failed
}

/// One event in a hook's outbox: the one it is delivering now, or one it gave up on.
public struct WebhookDelivery: Codable, Equatable, Sendable {
    public var webhookId: Int64
    /// The event's seq in the feed: the receiver's idempotency key.
    public var seq: Int64
    public var type: String
    public var status: WebhookDeliveryStatus
    /// Attempts made so far.
    public var attempts: Int
    /// ISO 8601 UTC: when delivery of the event began (the day of retries counts from it).
    public var firstAttemptAt: String
    /// ISO 8601 UTC: when the next attempt is due.
    public var nextAttemptAt: String
    /// ISO 8601 UTC.
    public var lastAttemptAt: String?
    /// What went wrong the last time (`HTTP 500`, `no answer within 5 s`, …).
    public var lastError: String
}

extension WebhookDelivery: GridbookRecord, PersistableRecord {
    public static let databaseTableName = "webhook_deliveries"

    /// The table's columns.
    public enum Columns {
        public static let webhookId = Column("webhook_id")
        public static let seq = Column("seq")
        public static let type = Column("type")
        public static let status = Column("status")
        public static let attempts = Column("attempts")
        public static let firstAttemptAt = Column("first_attempt_at")
        public static let nextAttemptAt = Column("next_attempt_at")
        public static let lastAttemptAt = Column("last_attempt_at")
        public static let lastError = Column("last_error")
    }
}

/// A hook as `gridbook webhook list` shows it: where its delivery stands, never its secret.
public struct WebhookSummary: Codable, Equatable, Sendable {
    public var id: Int64
    public var url: String
    public var events: [String]
    public var unitCode: String?
    public var createdAt: String
    /// Every event up to this seq is settled.
    public var cursor: Int64
    public var delivered: Int
    public var lastDeliveredAt: String?
    /// The event being delivered, with its attempts and the next one's time, if any.
    public var pending: WebhookDelivery?
    /// Events given up on.
    public var failed: Int
    /// The latest of them, with its last error.
    public var lastFailure: WebhookDelivery?

    /// What went wrong most recently: the pending event's last error, else the latest failure's.
    public var lastError: String? {
        if let pending, !pending.lastError.isEmpty { return pending.lastError }
        return lastFailure?.lastError
    }
}

extension Webhook {
    /// The event types of the change feed a hook may receive (SPEC section 6, and the
    /// supervision cards of issue 15).
    public static let feedEventTypes = ["visit.logged", "risk.created", "risk.updated", "risk.promoted", "case.created", "case.updated",
                                        "case.supervised"]

    /// The type of the synthetic event `gridbook webhook test` sends.
    public static let testEventType = "webhook.test"

    /// The longest URL a hook may have.
    static let maxURLLength = 2048

    /// The URL a hook may be added with: `http` or `https`, with a host, no user or password (the
    /// signature authenticates the sender; a URL is listed and logged), at most 2,048 characters.
    public static func checkedURL(_ text: String) throws -> URL {
        let problem: String
        if text.count > maxURLLength {
            problem = "is longer than \(maxURLLength) characters"
        } else if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) {
            problem = "\(text) holds a space or a control character"
        } else if let components = URLComponents(string: text), let url = components.url, let scheme = components.scheme?.lowercased() {
            if scheme != "http" && scheme != "https" {
                problem = "\(text) is not an http or https URL (\(scheme): is not delivered to)"
            } else if (components.host ?? "").isEmpty {
                problem = "\(text) names no host"
            } else if components.user != nil || components.password != nil {
                problem = "\(text) holds a user name or password: put none in the URL; the receiver checks the signature instead"
            } else if components.fragment != nil {
                problem = "\(text) has a fragment (#…), which is never sent"
            } else {
                return url
            }
        } else {
            problem = "\(text) is not an http or https URL"
        }
        throw GridbookError.invalid(field: "url", problem: problem)
    }

    /// The event types as given (`visit.logged,risk.created`): known feed types, each once, in
    /// the feed's own order.
    public static func checkedEvents(_ types: [String]) throws -> [String] {
        let given = types.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !given.isEmpty else {
            throw GridbookError.invalid(field: "events", problem: "name at least one of \(feedEventTypes.joined(separator: ", "))")
        }
        if let unknown = given.first(where: { !feedEventTypes.contains($0) }) {
            throw GridbookError.invalid(field: "events", problem: "\(unknown) is not an event of the feed (\(feedEventTypes.joined(separator: ", ")))")
        }
        return feedEventTypes.filter(given.contains)
    }

    /// A secret a hook may sign with: 16 to 1,024 characters, none of them a control character.
    public static func checkedSecret(_ secret: String) throws -> String {
        guard (16...1024).contains(secret.count) else {
            throw GridbookError.invalid(field: "secret", problem: "must be 16 to 1024 characters long (it has \(secret.count))")
        }
        guard !secret.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw GridbookError.invalid(field: "secret", problem: "holds a control character (a line break inside it?)")
        }
        return secret
    }

    /// A new random secret: `whsec_` and 32 random bytes in hexadecimal.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
