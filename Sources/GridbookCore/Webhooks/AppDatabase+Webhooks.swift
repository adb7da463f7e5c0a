import Foundation
import GRDB

// MARK: - Writes

extension AppDatabase {
    /// Adds a hook receiving `events` (at or under `unit` when given) at `url`, signed with
    /// `secret`. It receives the events after `after`, by default every event from now on. The
    /// addition is audited in the same transaction; a bad URL, event, unit or secret writes nothing.
    public func addWebhook(url: String, events: [String], unit: String? = nil, secret: String, after: Int64? = nil,
                           by actor: Actor = .system, now: Date? = nil) async throws -> Webhook {
        let now = now ?? clock.now()
        let checkedURL = try Webhook.checkedURL(url)
        let types = try Webhook.checkedEvents(events)
        let secret = try Webhook.checkedSecret(secret)
        if let after, after < 0 { throw GridbookError.invalid(field: "after", problem: "\(after) is not a sequence number") }
        return try await write { db in
            if let unit, try !Unit.exists(db, key: unit) { throw GridbookError.notFound("unit \(unit)") }
            let latest = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0
            var hook = Webhook(id: nil, url: checkedURL.absoluteString, events: types.joined(separator: ","), unitCode: unit, secret: secret,
                               createdAt: Timestamp(epochSeconds: Int(now.timeIntervalSince1970)).text, cursor: after ?? latest,
                               delivered: 0, lastDeliveredAt: nil)
            try hook.insert(db)
            try Audit.record(db, actor, "webhook.add", "webhook", "\(hook.id ?? 0)",
                             detail: "\(hook.url) \(hook.events)" + (unit.map { " under \($0)" } ?? ""), at: now)
            return hook
        }
    }

    /// Removes a hook and its outbox (nothing more is delivered to it), audited in the same transaction.
    public func removeWebhook(id: Int64, by actor: Actor = .system, now: Date? = nil) async throws {
        let now = now ?? clock.now()
        try await write { db in
            guard let hook = try Webhook.fetchOne(db, key: id) else { throw GridbookError.notFound("webhook \(id)") }
            try hook.delete(db)
            try Audit.record(db, actor, "webhook.remove", "webhook", "\(id)", detail: hook.url, at: now)
        }
    }
}

// MARK: - Reads

extension AppDatabase {
    /// A hook by its id.
    public func webhook(id: Int64) async throws -> Webhook {
        try await read { db in
            guard let hook = try Webhook.fetchOne(db, key: id) else { throw GridbookError.notFound("webhook \(id)") }
            return hook
        }
    }

    /// Every hook with where its delivery stands, oldest first (never a secret).
    public func webhookSummaries() async throws -> [WebhookSummary] {
        try await read { db in
            try Webhook.order(Webhook.Columns.id).fetchAll(db).map { hook in
                let id = hook.id ?? 0
                let outbox = WebhookDelivery.filter(WebhookDelivery.Columns.webhookId == id)
                let failed = outbox.filter(WebhookDelivery.Columns.status == WebhookDeliveryStatus.failed)
                return WebhookSummary(
                    id: id, url: hook.url, events: hook.eventTypes, unitCode: hook.unitCode, createdAt: hook.createdAt,
                    cursor: hook.cursor, delivered: hook.delivered, lastDeliveredAt: hook.lastDeliveredAt,
                    pending: try outbox.filter(WebhookDelivery.Columns.status == WebhookDeliveryStatus.pending).fetchOne(db),
                    failed: try failed.fetchCount(db),
                    lastFailure: try failed.order(WebhookDelivery.Columns.seq.desc).fetchOne(db))
            }
        }
    }

    /// The events a hook gave up on, latest first.
    public func webhookFailures(id: Int64, limit: Int = 100) async throws -> [WebhookDelivery] {
        try await read { db in
            guard try Webhook.exists(db, key: id) else { throw GridbookError.notFound("webhook \(id)") }
            return try WebhookDelivery
                .filter(WebhookDelivery.Columns.webhookId == id && WebhookDelivery.Columns.status == WebhookDeliveryStatus.failed)
                .order(WebhookDelivery.Columns.seq.desc).limit(limit).fetchAll(db)
        }
    }
}

// MARK: - Delivery state (the deliverer's)

extension AppDatabase {
    /// Every hook, oldest first.
    func webhooks() async throws -> [Webhook] {
        try await read { db in try Webhook.order(Webhook.Columns.id).fetchAll(db) }
    }

    /// A hook's pending delivery and the seq of the latest event, read together; nil when the
    /// hook is gone.
    func deliveryState(of id: Int64) async throws -> (hook: Webhook, pending: WebhookDelivery?, latest: Int64)? {
        try await read { db in
            guard let hook = try Webhook.fetchOne(db, key: id) else { return nil }
            let pending = try WebhookDelivery
                .filter(WebhookDelivery.Columns.webhookId == id && WebhookDelivery.Columns.status == WebhookDeliveryStatus.pending)
                .fetchOne(db)
            return (hook, pending, try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0)
        }
    }

    /// One event of the feed by its seq.
    func event(seq: Int64) async throws -> Event? {
        try await read { db in try Event.fetchOne(db, key: seq) }
    }

    /// Moves a hook's cursor from `from` to `to` (events not its own), unless it moved meanwhile
    /// or the hook is gone; says whether it did.
    func advanceWebhookCursor(id: Int64, from: Int64, to: Int64) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE webhooks SET cursor = ? WHERE id = ? AND cursor = ?", arguments: [to, id, from])
            return db.changesCount > 0
        }
    }

    /// Puts the hook's next event into its outbox as pending, due now (the events between the
    /// cursor and it are not its own); nil when the hook moved on meanwhile or is gone.
    func startDelivery(hook id: Int64, cursor: Int64, event: Event, now: Date) async throws -> WebhookDelivery? {
        guard let seq = event.seq else { return nil }
        let nowText = Timestamp(epochSeconds: Int(now.timeIntervalSince1970)).text
        return try await write { db in
            guard let hook = try Webhook.fetchOne(db, key: id), hook.cursor == cursor,
                  try WebhookDelivery.filter(WebhookDelivery.Columns.webhookId == id && WebhookDelivery.Columns.status == WebhookDeliveryStatus.pending)
                      .isEmpty(db)
            else { return nil }
            try db.execute(sql: "UPDATE webhooks SET cursor = ? WHERE id = ?", arguments: [seq - 1, id])
            let delivery = WebhookDelivery(webhookId: id, seq: seq, type: event.type, status: .pending, attempts: 0,
                                           firstAttemptAt: nowText, nextAttemptAt: nowText, lastAttemptAt: nil, lastError: "")
            try delivery.insert(db)
            return delivery
        }
    }

    /// Notes an attempt's result: delivered (out of the outbox, the cursor past it), or failed
    /// (retried at `retryAt`, or with nil given up on and kept as failed, the cursor past it).
    func finishAttempt(_ delivery: WebhookDelivery, delivered: Bool, error: String, retryAt: Date?, now: Date) async throws {
        let nowText = Timestamp(epochSeconds: Int(now.timeIntervalSince1970)).text
        try await write { db in
            // The hook may have been removed while the attempt was under way.
            guard try WebhookDelivery.exists(db, key: ["webhook_id": delivery.webhookId, "seq": delivery.seq]) else { return }
            if delivered {
                try delivery.delete(db)
                try db.execute(sql: "UPDATE webhooks SET cursor = ?, delivered = delivered + 1, last_delivered_at = ? WHERE id = ?",
                               arguments: [delivery.seq, nowText, delivery.webhookId])
                return
            }
            var next = delivery
            next.attempts += 1
            next.lastAttemptAt = nowText
            next.lastError = error
            if let retryAt {
                next.nextAttemptAt = Timestamp(epochSeconds: Int(retryAt.timeIntervalSince1970.rounded(.up))).text
            } else {
                next.status = .failed
                try db.execute(sql: "UPDATE webhooks SET cursor = ? WHERE id = ?", arguments: [delivery.seq, delivery.webhookId])
            }
            try next.update(db)
        }
    }
}
