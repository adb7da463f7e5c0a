import GRDB

/// The service requests filed through Open311 (SPEC section 8): each is a case of the ledger,
/// with what the client sent beside it: the location, the reporter (personal data), and what
/// recognises a retry.
enum Open311Schema {
    /// Creates the table of service requests filed through Open311.
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE open311_requests (
                case_id TEXT PRIMARY KEY NOT NULL REFERENCES cases(id),
                -- The SHA-256 of the api_key that filed it, as tokens.hash: the retry rule is per key.
                api_key_hash TEXT NOT NULL,
                -- The client's Idempotency-Key header, also its token (GET tokens/{token}).
                idempotency_key TEXT,
                -- What makes two posts the same request: service, location and description.
                fingerprint TEXT NOT NULL,
                service_code TEXT NOT NULL,
                description TEXT NOT NULL DEFAULT '',
                lat REAL,
                long REAL,
                address_string TEXT NOT NULL DEFAULT '',
                address_id TEXT,
                first_name TEXT,
                last_name TEXT,
                phone TEXT,
                email TEXT,
                device_id TEXT,
                account_id TEXT,
                media_url TEXT,
                attributes TEXT NOT NULL DEFAULT '{}',
                requested_at TEXT NOT NULL
            );
            CREATE UNIQUE INDEX open311_requests_idempotency ON open311_requests(idempotency_key) WHERE idempotency_key IS NOT NULL;
            CREATE INDEX open311_requests_retry ON open311_requests(api_key_hash, fingerprint, requested_at);
            -- GET requests reads cases by when they were accepted (a window of at most 90 days).
            CREATE INDEX cases_accepted_at ON cases(accepted_at);
            """)
    }
}
