import Foundation
import Logging

/// How webhooks are delivered: each attempt's timeout, the backoff between attempts, how long an
/// event is retried, how often the feed is looked at. Every part may be set by a test.
public struct WebhookPolicy: Sendable {
    /// The longest an attempt waits for the receiver's whole answer.
    public var timeout: Duration
    /// How long an event is retried, from its first attempt, before it is kept as failed.
    public var giveUpAfter: TimeInterval
    /// Seconds to wait after the `n`th failed attempt of an event (n from 1).
    public var backoff: @Sendable (_ failedAttempts: Int) -> TimeInterval
    /// How often the feed is looked at for new events when there is nothing to do.
    public var poll: Duration
    /// Events delivered to one hook in one pass at most, so that hooks take turns.
    public var batch: Int

    /// A policy; by default the server's: 5 s, a day, ``exponentialBackoff(failedAttempts:random:)``
    /// with random jitter, every second, 100 a pass.
    public init(timeout: Duration = .seconds(5), giveUpAfter: TimeInterval = 24 * 3600,
                backoff: @escaping @Sendable (Int) -> TimeInterval = { WebhookPolicy.exponentialBackoff(failedAttempts: $0, random: .random(in: 0...1)) },
                poll: Duration = .seconds(1), batch: Int = 100) {
        self.timeout = timeout
        self.giveUpAfter = giveUpAfter
        self.backoff = backoff
        self.poll = poll
        self.batch = batch
    }

    /// The longest wait between two attempts: an hour.
    public static let maximumBackoff: TimeInterval = 3600

    /// Exponential backoff with jitter: after the `n`th failure the ceiling is 2^(n-1) seconds
    /// (at most an hour), and the wait is half the ceiling plus `random` (0...1) times the other
    /// half, in whole seconds, at least 1: 1, 1–2, 2–4, 4–8, … s. Receivers that failed together
    /// are not all retried at the same moment.
    public static func exponentialBackoff(failedAttempts: Int, random: Double) -> TimeInterval {
        let ceiling = min(maximumBackoff, pow(2, Double(max(0, min(failedAttempts, 40) - 1))))
        return max(1, (ceiling / 2 + ceiling / 2 * min(1, max(0, random))).rounded(.up))
    }
}

/// One attempt to deliver an event, as the deliverer reports it.
public struct WebhookAttempt: Equatable, Sendable {
    public var webhookId: Int64
    public var seq: Int64
    public var type: String
    public var response: WebhookResponse
    /// Whether the event was given up on with this attempt (kept as failed).
    public var gaveUp: Bool
}

/// Delivers the change feed to the hooks, from the outbox in the database: each hook's events
/// in feed order, at least once; a 2xx delivers, anything else is retried with backoff until
/// ``WebhookPolicy/giveUpAfter``, then kept as failed and delivery moves on. Everything it knows
/// is in the database, so a new deliverer over the same file (a restarted server) goes on where
/// the last one stopped: the event it was sending is sent again, none delivered is.
public struct WebhookDeliverer: Sendable {
    public let database: AppDatabase
    public let transport: any WebhookTransport
    public let policy: WebhookPolicy
    /// The server's own address: a hook pointing at it is never delivered to.
    public let server: ListeningAddress?

    /// A deliverer over `database`, sending through `transport` (the server's URLSession client by default).
    public init(database: AppDatabase, transport: any WebhookTransport = URLSessionWebhookTransport(),
                policy: WebhookPolicy = WebhookPolicy(), server: ListeningAddress? = nil) {
        self.database = database
        self.transport = transport
        self.policy = policy
        self.server = server
    }

    /// Delivers to every hook what is due now, the hooks side by side: each until it has nothing
    /// more, waits for a retry, or has had ``WebhookPolicy/batch`` events. Returns the attempts made.
    @discardableResult
    public func deliverDue() async throws -> [WebhookAttempt] {
        let hooks = try await database.webhooks().compactMap(\.id)
        return try await withThrowingTaskGroup(of: [WebhookAttempt].self) { group in
            for id in hooks { group.addTask { try await deliver(hook: id) } }
            var attempts: [WebhookAttempt] = []
            for try await made in group { attempts += made }
            return attempts.sorted { ($0.webhookId, $0.seq) < ($1.webhookId, $1.seq) }
        }
    }

    /// Runs until its task is cancelled: a pass, then a pause of ``WebhookPolicy/poll``.
    public func run(logger: Logger, sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) async {
        while !Task.isCancelled {
            do {
                for attempt in try await deliverDue() {
                    let metadata: Logger.Metadata = ["webhook": "\(attempt.webhookId)", "seq": "\(attempt.seq)", "type": "\(attempt.type)",
                                                     "status": "\(attempt.response.status.map(String.init) ?? "none")"]
                    if attempt.response.delivered {
                        logger.debug("webhook delivered", metadata: metadata)
                    } else if attempt.gaveUp {
                        logger.warning("webhook event given up on", metadata: metadata.merging(["error": "\(attempt.response.problem)"]) { $1 })
                    } else {
                        logger.info("webhook attempt failed", metadata: metadata.merging(["error": "\(attempt.response.problem)"]) { $1 })
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("webhook delivery failed", metadata: ["error": "\(StorageTrouble(error).map { "\($0)" } ?? "\(error)")"])
            }
            do { try await sleep(policy.poll) } catch { return }
        }
    }

    /// Sends one synthetic `webhook.test` event to a hook at once, outside its outbox, and says
    /// what the receiver answered.
    public func sendTest(hook id: Int64) async throws -> WebhookResponse {
        let hook = try await database.webhook(id: id)
        let now = database.clock.now()
        return await send(WebhookPayload.testEvent(hook: hook, now: now), to: hook, now: now)
    }

    /// Delivers one hook's due events in order; stops at a failure that is to be retried.
    func deliver(hook id: Int64) async throws -> [WebhookAttempt] {
        var attempts: [WebhookAttempt] = []
        while attempts.count < policy.batch, !Task.isCancelled {
            let now = database.clock.now()
            guard let (hook, delivery) = try await nextDelivery(hook: id, now: now),
                  delivery.nextAttemptAt <= Timestamp(epochSeconds: Int(now.timeIntervalSince1970)).text
            else { break }
            let response: WebhookResponse
            if let event = try await database.event(seq: delivery.seq) {
                response = await send(event, to: hook, now: now)
            } else {
                response = .failed("event \(delivery.seq) is no longer in the feed")
            }
            // The time the answer came, for the day of retries and the next attempt.
            let answered = database.clock.now()
            let firstAttempt = Timestamp(delivery.firstAttemptAt).map { TimeInterval($0.epochSeconds) } ?? answered.timeIntervalSince1970
            let gaveUp = !response.delivered && answered.timeIntervalSince1970 - firstAttempt >= policy.giveUpAfter
            let retryAt = response.delivered || gaveUp ? nil : answered.addingTimeInterval(policy.backoff(delivery.attempts + 1))
            try await database.finishAttempt(delivery, delivered: response.delivered, error: response.problem, retryAt: retryAt, now: answered)
            attempts.append(WebhookAttempt(webhookId: id, seq: delivery.seq, type: delivery.type, response: response, gaveUp: gaveUp))
            if retryAt != nil { break }
        }
        return attempts
    }

    /// The hook and the event it is delivering: the pending one in its outbox, else its next
    /// event after the cursor (put into the outbox now); nil when there is none or the hook is gone.
    func nextDelivery(hook id: Int64, now: Date) async throws -> (Webhook, WebhookDelivery)? {
        // A few pages of other events at most, then the next pass goes on.
        for _ in 0..<10 {
            guard let state = try await database.deliveryState(of: id) else { return nil }
            if let pending = state.pending { return (state.hook, pending) }
            let page = 500
            // The feed's own scope rule: the events of records at or under the hook's unit.
            let events = try await database.events(after: state.hook.cursor, limit: page, under: state.hook.unitCode.map { [$0] })
            let types = Set(state.hook.eventTypes)
            if let next = events.first(where: { types.contains($0.type) }) {
                guard let delivery = try await database.startDelivery(hook: id, cursor: state.hook.cursor, event: next, now: now) else { continue }
                return (state.hook, delivery)
            }
            // None of the page is the hook's. A short page held every event up to the latest
            // seen before it was read (later events have higher seqs: there is one writer).
            let scanned = events.count == page ? events.last?.seq ?? state.hook.cursor : max(state.latest, events.last?.seq ?? 0)
            guard scanned > state.hook.cursor else { return nil }
            _ = try await database.advanceWebhookCursor(id: id, from: state.hook.cursor, to: scanned)
            if events.count < page { return nil }
        }
        return nil
    }

    /// POSTs an event to a hook, signed; refused without sending when the hook points at this server.
    func send(_ event: Event, to hook: Webhook, now: Date) async -> WebhookResponse {
        guard let url = URL(string: hook.url) else { return .failed("\(hook.url) is not a URL") }
        if let server, server.isSelf(url) {
            return .failed("\(hook.url) is this server (\(server.host):\(server.port)): not delivered to itself")
        }
        let body: [UInt8]
        do { body = try WebhookPayload.body(for: event) } catch { return .failed("the event could not be encoded: \(error)") }
        let timestamp = Int(now.timeIntervalSince1970)
        let headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("User-Agent", "Gridbook-Webhook/1"),
            (WebhookSignature.eventHeader, event.type),
            (WebhookSignature.seqHeader, "\(event.seq ?? 0)"),
            (WebhookSignature.webhookHeader, "\(hook.id ?? 0)"),
            (WebhookSignature.timestampHeader, "\(timestamp)"),
            (WebhookSignature.signatureHeader, WebhookSignature.signature(timestamp: timestamp, body: body, secret: hook.secret)),
        ]
        return await transport.post(url, headers: headers, body: body, timeout: policy.timeout)
    }
}
