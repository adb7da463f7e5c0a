import GRDB

/// The webhook tables (filled in by the webhooks work).
enum WebhookSchema {
    /// Registers the webhook migrations after the others.
    static func registerMigrations(_ migrator: inout DatabaseMigrator) {}
}
