import GRDB

/// The webhook tables: the hooks, and the outbox of their deliveries.
enum WebhookSchema {
    /// Registers the webhook migrations after the others.
    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v13: webhooks") { db in
            try db.execute(sql: """
                -- A receiver told of the change feed's events (gridbook webhook add). `cursor` is the
                -- seq up to which every event is settled for the hook: delivered, given up on, or
                -- not one of its events; delivery resumes after it.
                CREATE TABLE webhooks (
                    id INTEGER PRIMARY KEY,
                    url TEXT NOT NULL CHECK (url LIKE 'http://%' OR url LIKE 'https://%'),
                    events TEXT NOT NULL CHECK (events <> ''),
                    unit_code TEXT REFERENCES units(code) ON UPDATE CASCADE,
                    secret TEXT NOT NULL CHECK (length(secret) >= 16),
                    created_at TEXT NOT NULL,
                    cursor INTEGER NOT NULL CHECK (cursor >= 0),
                    delivered INTEGER NOT NULL DEFAULT 0,
                    last_delivered_at TEXT
                );

                -- The outbox: the event a hook is delivering now (`pending`, at most one a hook,
                -- with its attempts and when the next is due) and the events it gave up on after
                -- retrying for a day (`failed`, kept with the last error).
                CREATE TABLE webhook_deliveries (
                    webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
                    seq INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status = 'pending' OR status = 'failed'),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    first_attempt_at TEXT NOT NULL,
                    next_attempt_at TEXT NOT NULL,
                    last_attempt_at TEXT,
                    last_error TEXT NOT NULL DEFAULT '',
                    PRIMARY KEY (webhook_id, seq)
                );
                CREATE UNIQUE INDEX webhook_deliveries_pending ON webhook_deliveries(webhook_id) WHERE status = 'pending';
                """)
        }
    }
}
