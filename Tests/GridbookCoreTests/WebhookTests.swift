import Foundation
import GRDB
import Logging
import Synchronization
import Testing
@testable import GridbookCore

/// A clock a test moves by hand.
final class SteppedClock: Sendable {
    private let date: Mutex<Date>

    /// A clock at `start`.
    init(_ start: Date) { date = Mutex(start) }

    /// The clock for a database.
    var wallClock: WallClock { WallClock { self.date.withLock { $0 } } }

    /// Moves the clock on.
    func advance(by seconds: TimeInterval) { date.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A receiver in memory: records each POST and answers as its script says for the event's seq
/// and the how-manieth attempt at that seq it is (from 1).
final class ScriptedTransport: WebhookTransport {
    /// One POST as received.
    struct Call: Equatable, Sendable {
        var url: String
        var headers: [String: String]
        var body: String
        var seq: Int64 { Int64(headers[WebhookSignature.seqHeader] ?? "") ?? -1 }
    }

    private let calls = Mutex<[Call]>([])
    private let script: @Sendable (_ seq: Int64, _ attempt: Int) -> WebhookResponse

    /// A receiver answering by `script`, 200 to everything by default.
    init(_ script: @escaping @Sendable (Int64, Int) -> WebhookResponse = { _, _ in .answered(200) }) {
        self.script = script
    }

    /// Every POST so far, in order.
    var received: [Call] { calls.withLock { $0 } }

    func post(_ url: URL, headers: [(String, String)], body: [UInt8], timeout: Duration) async -> WebhookResponse {
        let call = Call(url: url.absoluteString, headers: Dictionary(headers, uniquingKeysWith: { $1 }), body: String(decoding: body, as: UTF8.self))
        let attempt = calls.withLock { calls in
            calls.append(call)
            return calls.filter { $0.seq == call.seq && $0.url == call.url }.count
        }
        return script(call.seq, attempt)
    }
}

/// A policy for tests: a fixed 10 s between attempts, no randomness.
let testPolicy = WebhookPolicy(timeout: .seconds(1), backoff: { _ in 10 })

/// A secret long enough.
let testSecret = "whsec_test_secret_0123456789"

/// Logs `count` met visits to H1 (grid G1) by P1, numbered from `first`; each writes a visit.logged event.
func logVisitsToH1(_ database: AppDatabase, _ count: Int, first: Int = 1) async throws {
    for n in first..<(first + count) {
        let new = NewVisit(id: String(format: "aaaaaaaa-0000-4000-8000-%012d", n), householdCode: "H1", visitorId: "P1",
                           visitedAt: String(format: "2026-06-%02dT09:00:00+08:00", n), method: .door, outcome: .met)
        _ = try await database.logVisit(new, by: .person("P1"))
    }
}

/// The count of rows in a table.
func rows(_ database: AppDatabase, _ table: String) async throws -> Int {
    try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
}

@Suite("Webhooks: hooks, signatures, the outbox")
struct WebhookTests {
    @Test("adding a hook stores it after the latest event, audited in the same transaction")
    func add() async throws {
        let database = try await smallCountyDatabase()
        try await logVisitsToH1(database, 2)
        let hook = try await database.addWebhook(url: "https://cases.example.gov.cn/hooks/gridbook", events: ["risk.created", "visit.logged", "visit.logged"],
                                                 unit: "T1", secret: testSecret, by: .commandLine(user: "wang"))
        #expect(hook == Webhook(id: 1, url: "https://cases.example.gov.cn/hooks/gridbook", events: "visit.logged,risk.created", unitCode: "T1",
                                secret: testSecret, createdAt: "2026-12-01T00:00:00Z", cursor: 2, delivered: 0, lastDeliveredAt: nil))
        let audit = try await database.auditEntries(actor: "cli:wang")
        #expect(audit.map { "\($0.action) \($0.recordType) \($0.recordId) \($0.detail)" } == [
            "webhook.add webhook 1 https://cases.example.gov.cn/hooks/gridbook visit.logged,risk.created under T1",
        ])
        let summaries = try await database.webhookSummaries()
        #expect(summaries == [WebhookSummary(id: 1, url: "https://cases.example.gov.cn/hooks/gridbook", events: ["visit.logged", "risk.created"],
                                             unitCode: "T1", createdAt: "2026-12-01T00:00:00Z", cursor: 2, delivered: 0,
                                             lastDeliveredAt: nil, pending: nil, failed: 0, lastFailure: nil)])
        // --after replays the feed from there.
        #expect(try await database.addWebhook(url: "http://127.0.0.1:9/x", events: ["case.created"], secret: testSecret, after: 0).cursor == 0)
    }

    @Test("a refused hook writes nothing", arguments: [
        ("ftp://cases.example.gov.cn/in", ["visit.logged"], nil, testSecret,
         "url: ftp://cases.example.gov.cn/in is not an http or https URL (ftp: is not delivered to)"),
        ("javascript:alert(1)", ["visit.logged"], nil, testSecret, "url: javascript:alert(1) is not an http or https URL (javascript: is not delivered to)"),
        ("file:///etc/passwd", ["visit.logged"], nil, testSecret, "url: file:///etc/passwd is not an http or https URL (file: is not delivered to)"),
        ("cases.example.gov.cn/in", ["visit.logged"], nil, testSecret, "url: cases.example.gov.cn/in is not an http or https URL"),
        ("http:///in", ["visit.logged"], nil, testSecret, "url: http:///in names no host"),
        ("https://user:pw@cases.example.gov.cn/in", ["visit.logged"], nil, testSecret,
         "url: https://user:pw@cases.example.gov.cn/in holds a user name or password: put none in the URL; the receiver checks the signature instead"),
        ("https://cases.example.gov.cn/in#top", ["visit.logged"], nil, testSecret, "url: https://cases.example.gov.cn/in#top has a fragment (#…), which is never sent"),
        ("https://cases.example.gov.cn/a b", ["visit.logged"], nil, testSecret, "url: https://cases.example.gov.cn/a b holds a space or a control character"),
        ("https://cases.example.gov.cn/" + String(repeating: "a", count: 2030), ["visit.logged"], nil, testSecret, "url: is longer than 2048 characters"),
        ("https://cases.example.gov.cn/in", [], nil, testSecret,
         "events: name at least one of visit.logged, risk.created, risk.updated, risk.promoted, case.created, case.updated, case.supervised"),
        ("https://cases.example.gov.cn/in", ["visit.logged", "visit.deleted"], nil, testSecret,
         "events: visit.deleted is not an event of the feed (visit.logged, risk.created, risk.updated, risk.promoted, case.created, case.updated, case.supervised)"),
        ("https://cases.example.gov.cn/in", ["visit.logged"], "NOWHERE", testSecret, "unknown unit NOWHERE"),
        ("https://cases.example.gov.cn/in", ["visit.logged"], nil, "short", "secret: must be 16 to 1024 characters long (it has 5)"),
        ("https://cases.example.gov.cn/in", ["visit.logged"], nil, "a secret of two\nlines here", "secret: holds a control character (a line break inside it?)"),
    ] as [(String, [String], String?, String, String)])
    func refused(url: String, events: [String], unit: String?, secret: String, message: String) async throws {
        let database = try await smallCountyDatabase()
        let auditBefore = try await rows(database, "audit_log")
        await #expect { try await database.addWebhook(url: url, events: events, unit: unit, secret: secret) } throws: { error in
            (error as? GridbookError)?.description == message
        }
        #expect(try await rows(database, "webhooks") == 0)
        #expect(try await rows(database, "audit_log") == auditBefore)
    }

    @Test("a negative --after is refused and nothing is written")
    func negativeAfter() async throws {
        let database = try await smallCountyDatabase()
        await #expect(throws: GridbookError.invalid(field: "after", problem: "-1 is not a sequence number")) {
            try await database.addWebhook(url: "https://cases.example.gov.cn/in", events: ["visit.logged"], secret: testSecret, after: -1)
        }
        #expect(try await rows(database, "webhooks") == 0)
    }

    @Test("removing a hook drops its outbox and is audited; an unknown hook is refused with nothing written")
    func remove() async throws {
        let database = try await smallCountyDatabase()
        let hook = try await database.addWebhook(url: "http://127.0.0.1:9/in", events: ["visit.logged"], secret: testSecret)
        try await logVisitsToH1(database, 1)
        let deliverer = WebhookDeliverer(database: database, transport: ScriptedTransport { _, _ in .answered(500) }, policy: testPolicy)
        try await deliverer.deliverDue()
        #expect(try await rows(database, "webhook_deliveries") == 1)
        let auditBefore = try await rows(database, "audit_log")
        await #expect(throws: GridbookError.notFound("webhook 7")) { try await database.removeWebhook(id: 7) }
        #expect(try await rows(database, "audit_log") == auditBefore)
        try await database.removeWebhook(id: try #require(hook.id), by: .person("P1"))
        #expect(try await rows(database, "webhooks") == 0)
        #expect(try await rows(database, "webhook_deliveries") == 0)
        #expect(try await database.auditEntries(actor: "P1").last.map { "\($0.action) \($0.recordId) \($0.detail)" } == "webhook.remove 1 http://127.0.0.1:9/in")
    }

    @Test("the signature is HMAC-SHA256 of the timestamp, a full stop and the body, keyed with the secret")
    func signature() {
        let body = Array(#"{"at":"2026-12-01T00:00:00Z"}"#.utf8)
        // Computed independently (Python's hmac module).
        let expected = "sha256=60000f15842703e2160ed2baa7a7ab018eef4484bfe37ca0b48ae5123428f3c5"
        #expect(WebhookSignature.signature(timestamp: 1_796_083_200, body: body, secret: testSecret) == expected)
        #expect(WebhookSignature.verify(body: body, timestamp: "1796083200", signature: expected, secret: testSecret, now: testNow))
        #expect(WebhookSignature.verify(body: body, timestamp: "1796083200", signature: expected.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="),
                                        secret: testSecret, now: testNow.addingTimeInterval(300)))
        // A changed body, another secret, a replay after five minutes, a malformed signature.
        #expect(!WebhookSignature.verify(body: body + [0x20], timestamp: "1796083200", signature: expected, secret: testSecret, now: testNow))
        #expect(!WebhookSignature.verify(body: body, timestamp: "1796083200", signature: expected, secret: testSecret + "x", now: testNow))
        #expect(!WebhookSignature.verify(body: body, timestamp: "1796083200", signature: expected, secret: testSecret, now: testNow.addingTimeInterval(301)))
        #expect(!WebhookSignature.verify(body: body, timestamp: "1796083201", signature: expected, secret: testSecret, now: testNow))
        #expect(!WebhookSignature.verify(body: body, timestamp: "1796083200", signature: String(expected.dropFirst(7)), secret: testSecret, now: testNow))
        #expect(!WebhookSignature.verify(body: body, timestamp: "1796083200", signature: "sha256=zz", secret: testSecret, now: testNow))
    }

    @Test("the backoff doubles from 1 s up to an hour, with half of it jittered")
    func backoff() {
        let waits = (1...14).map { WebhookPolicy.exponentialBackoff(failedAttempts: $0, random: 0) }
        #expect(waits == [1, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1800, 1800])
        let most = (1...14).map { WebhookPolicy.exponentialBackoff(failedAttempts: $0, random: 1) }
        #expect(most == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600])
        #expect(WebhookPolicy.exponentialBackoff(failedAttempts: 4, random: 0.5) == 6)
        #expect(WebhookPolicy.exponentialBackoff(failedAttempts: 1000, random: 0.5) == 2700)
    }

    @Test("phone and ID numbers in a payload are masked as in the API; a record holding none is sent as stored")
    func masking() throws {
        let stored = #"{"note":"13812341234","phone":"13812341234","reporter":{"id_number":"110101199003071233","name":"张伟","reporter_phone":"0471-6961234"},"parties":[{"phone":"13900001111"}]}"#
        #expect(try WebhookPayload.maskedData(stored)
                == #"{"note":"13812341234","parties":[{"phone":"139****1111"}],"phone":"138****1234","reporter":{"id_number":"110101********1233","name":"张伟","reporter_phone":"047*****1234"}}"#)
        let visit = #"{"household_code":"H1","id":"v1","note":"","outcome":"met"}"#
        #expect(try WebhookPayload.maskedData(visit) == visit)
        let event = Event(seq: 7, type: "case.created", recordId: "2026-000001", at: "2026-12-01T00:00:00Z", data: stored)
        #expect(String(decoding: try WebhookPayload.body(for: event), as: UTF8.self)
                == #"{"at":"2026-12-01T00:00:00Z","data":{"note":"13812341234","parties":[{"phone":"139****1111"}],"phone":"138****1234","reporter":{"id_number":"110101********1233","name":"张伟","reporter_phone":"047*****1234"}},"id":"2026-000001","seq":7,"type":"case.created"}"#)
    }

    @Test("each hook gets its own event types at or under its unit, in feed order, each seq once, signed")
    func orderAndFilters() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        let seeds = try SeedDirectory(smallCounty)
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        let all = try await database.addWebhook(url: "http://receiver.test/all", events: ["visit.logged", "risk.created"], secret: testSecret)
        let v2 = try await database.addWebhook(url: "http://receiver.test/v2", events: ["visit.logged"], unit: "V2", secret: testSecret)
        let risks = try await database.addWebhook(url: "http://receiver.test/risks", events: ["risk.created"], secret: testSecret)
        // Given: seq 1 and 2 visits to H1 (G1, under T1), seq 3 a visit to H8 (G3, under V2), seq 4
        // a visit to H1 with a finding (seq 5, risk.created).
        try await logVisitsToH1(database, 2)
        _ = try await database.logVisit(NewVisit(id: "aaaaaaaa-0000-4000-8000-000000000103", householdCode: "H8", visitorId: "P2",
                                                 visitedAt: "2026-07-01T09:00:00+08:00", method: .door, outcome: .met))
        _ = try await database.logVisit(NewVisit(id: "aaaaaaaa-0000-4000-8000-000000000104", householdCode: "H1", visitorId: "P1",
                                                 visitedAt: "2026-07-02T09:00:00+08:00", method: .door, outcome: .met,
                                                 findings: [NewRisk(category: "land", level: .orange, title: "宅基地边界纠纷", source: .visit)]))
        let receiver = ScriptedTransport()
        let deliverer = WebhookDeliverer(database: database, transport: receiver, policy: testPolicy)
        // When
        let attempts = try await deliverer.deliverDue()
        // Then
        #expect(attempts.map { "\($0.webhookId) \($0.seq) \($0.type) \($0.response.status ?? 0)" } == [
            "1 1 visit.logged 200", "1 2 visit.logged 200", "1 3 visit.logged 200", "1 4 visit.logged 200", "1 5 risk.created 200",
            "2 3 visit.logged 200", "3 5 risk.created 200",
        ])
        let byHook = Dictionary(grouping: receiver.received, by: \.url)
        #expect(byHook["http://receiver.test/all"]?.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(byHook["http://receiver.test/v2"]?.map(\.seq) == [3])
        #expect(byHook["http://receiver.test/risks"]?.map(\.seq) == [5])
        // The body is the feed's event as it encodes, and the headers name it and sign it.
        let feed = try await database.feed(after: 0, limit: 10).items
        for call in receiver.received {
            let event = try #require(feed.first { $0.seq == call.seq })
            #expect(call.body == String(decoding: try JSONOutput.bytes(event, pretty: false), as: UTF8.self))
            #expect(call.headers[WebhookSignature.eventHeader] == event.type)
            #expect(call.headers[WebhookSignature.timestampHeader] == "1796083200")
            #expect(call.headers["Content-Type"] == "application/json; charset=utf-8")
            #expect(WebhookSignature.verify(body: Array(call.body.utf8), timestamp: "1796083200",
                                            signature: call.headers[WebhookSignature.signatureHeader] ?? "", secret: testSecret, now: testNow))
        }
        #expect(receiver.received.first { $0.url.hasSuffix("/v2") }?.headers[WebhookSignature.webhookHeader] == "\(v2.id ?? 0)")
        // Nothing more to send; every hook's cursor is at the latest event.
        #expect(try await deliverer.deliverDue() == [])
        #expect(try await database.webhookSummaries().map { "\($0.id) \($0.cursor) \($0.delivered) \($0.lastDeliveredAt ?? "")" } == [
            "\(all.id ?? 0) 5 5 2026-12-01T00:00:00Z", "\(v2.id ?? 0) 5 1 2026-12-01T00:00:00Z", "\(risks.id ?? 0) 5 1 2026-12-01T00:00:00Z",
        ])
        #expect(try await rows(database, "webhook_deliveries") == 0)
    }

    @Test("a failed attempt is retried after its backoff, the events behind it waiting their turn")
    func retry() async throws {
        let clock = SteppedClock(testNow)
        let database = try AppDatabase.inMemory(clock: clock.wallClock)
        let seeds = try SeedDirectory(smallCounty)
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        _ = try await database.addWebhook(url: "http://receiver.test/in", events: ["visit.logged"], secret: testSecret)
        try await logVisitsToH1(database, 3)
        // The receiver fails seq 2 twice (a 500, then no answer), then takes it.
        let receiver = ScriptedTransport { seq, attempt in
            seq == 2 && attempt == 1 ? .answered(500) : seq == 2 && attempt == 2 ? .failed("no answer within 1 s") : .answered(204)
        }
        let deliverer = WebhookDeliverer(database: database, transport: receiver, policy: testPolicy)
        #expect(try await deliverer.deliverDue().map { "\($0.seq) \($0.response.problem)" } == ["1 ", "2 HTTP 500"])
        let waiting = try #require(try await database.webhookSummaries().first?.pending)
        #expect(waiting == WebhookDelivery(webhookId: 1, seq: 2, type: "visit.logged", status: .pending, attempts: 1,
                                           firstAttemptAt: "2026-12-01T00:00:00Z", nextAttemptAt: "2026-12-01T00:00:10Z",
                                           lastAttemptAt: "2026-12-01T00:00:00Z", lastError: "HTTP 500"))
        // Not due yet: nothing is sent, and seq 3 waits behind seq 2.
        clock.advance(by: 9)
        #expect(try await deliverer.deliverDue() == [])
        clock.advance(by: 1)
        #expect(try await deliverer.deliverDue().map { "\($0.seq) \($0.response.problem)" } == ["2 no answer within 1 s"])
        #expect(try await database.webhookSummaries().first?.lastError == "no answer within 1 s")
        clock.advance(by: 10)
        #expect(try await deliverer.deliverDue().map { "\($0.seq) \($0.response.status ?? 0)" } == ["2 204", "3 204"])
        #expect(receiver.received.map(\.seq) == [1, 2, 2, 2, 3])
        // Each attempt carries its own time, signed.
        #expect(receiver.received.map { $0.headers[WebhookSignature.timestampHeader] ?? "" }
                == ["1796083200", "1796083200", "1796083210", "1796083220", "1796083220"])
        #expect(try await database.webhookSummaries().map { "\($0.cursor) \($0.delivered) \($0.pending == nil) \($0.failed)" } == ["3 3 true 0"])
    }

    @Test("an event still refused 24 hours after its first attempt is kept as failed with its last error, and delivery moves on")
    func giveUp() async throws {
        let clock = SteppedClock(testNow)
        let database = try AppDatabase.inMemory(clock: clock.wallClock)
        let seeds = try SeedDirectory(smallCounty)
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        _ = try await database.addWebhook(url: "http://receiver.test/in", events: ["visit.logged"], secret: testSecret)
        try await logVisitsToH1(database, 2)
        let receiver = ScriptedTransport { seq, _ in seq == 1 ? .answered(503) : .answered(200) }
        let deliverer = WebhookDeliverer(database: database, transport: receiver, policy: testPolicy)
        #expect(try await deliverer.deliverDue().map { "\($0.seq) \($0.gaveUp)" } == ["1 false"])
        clock.advance(by: 24 * 3600 - 20)
        #expect(try await deliverer.deliverDue().map { "\($0.seq) \($0.gaveUp)" } == ["1 false"])
        clock.advance(by: 20)
        #expect(try await deliverer.deliverDue().map { "\($0.seq) \($0.gaveUp) \($0.response.status ?? 0)" } == ["1 true 503", "2 false 200"])
        let summary = try #require(try await database.webhookSummaries().first)
        #expect(summary.failed == 1)
        #expect(summary.pending == nil)
        #expect(summary.cursor == 2)
        #expect(summary.lastError == "HTTP 503")
        #expect(summary.lastFailure == WebhookDelivery(webhookId: 1, seq: 1, type: "visit.logged", status: .failed, attempts: 3,
                                                       firstAttemptAt: "2026-12-01T00:00:00Z", nextAttemptAt: "2026-12-01T23:59:50Z",
                                                       lastAttemptAt: "2026-12-02T00:00:00Z", lastError: "HTTP 503"))
        #expect(try await database.webhookFailures(id: 1) == [try #require(summary.lastFailure)])
        // A failed event is never sent again.
        clock.advance(by: 3600)
        #expect(try await deliverer.deliverDue() == [])
        #expect(receiver.received.map(\.seq) == [1, 1, 1, 2])
    }

    @Test("a new deliverer over the same file goes on where the last one stopped, sending nothing delivered again")
    func resume() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-hooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("county.sqlite").path
        let clock = SteppedClock(testNow)
        do {
            let database = try AppDatabase.open(path: path, clock: clock.wallClock)
            let seeds = try SeedDirectory(smallCounty)
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
            _ = try await database.addWebhook(url: "http://receiver.test/in", events: ["visit.logged"], secret: testSecret)
            try await logVisitsToH1(database, 3)
            let first = ScriptedTransport { seq, _ in seq == 2 ? .answered(500) : .answered(200) }
            _ = try await WebhookDeliverer(database: database, transport: first, policy: testPolicy).deliverDue()
            #expect(first.received.map(\.seq) == [1, 2])
        }
        // The server restarts: a new database connection and deliverer; one more event came meanwhile.
        let database = try AppDatabase.open(path: path, clock: clock.wallClock)
        try await logVisitsToH1(database, 1, first: 4)
        let second = ScriptedTransport()
        let deliverer = WebhookDeliverer(database: database, transport: second, policy: testPolicy)
        #expect(try await deliverer.deliverDue() == [])
        clock.advance(by: 10)
        _ = try await deliverer.deliverDue()
        #expect(second.received.map(\.seq) == [2, 3, 4])
        #expect(try await database.webhookSummaries().map { "\($0.cursor) \($0.delivered)" } == ["4 4"])
    }

    @Test("events not the hook's are passed over a page at a time, and the cursor moves past them")
    func skipping() async throws {
        let database = try await smallCountyDatabase()
        _ = try await database.addWebhook(url: "http://receiver.test/in", events: ["case.created"], secret: testSecret)
        try await logVisitsToH1(database, 3)
        let receiver = ScriptedTransport()
        let deliverer = WebhookDeliverer(database: database, transport: receiver, policy: testPolicy)
        #expect(try await deliverer.deliverDue() == [])
        #expect(receiver.received == [])
        #expect(try await database.webhookSummaries().first?.cursor == 3)
    }

    @Test("a hook pointing at the server itself is never sent to; the attempt fails saying so")
    func notToItself() async throws {
        let database = try await smallCountyDatabase()
        _ = try await database.addWebhook(url: "http://localhost:8080/api/v1/events", events: ["visit.logged"], secret: testSecret)
        try await logVisitsToH1(database, 1)
        let receiver = ScriptedTransport()
        let server = ListeningAddress(host: "127.0.0.1", port: 8080, localAddresses: [])
        let attempts = try await WebhookDeliverer(database: database, transport: receiver, policy: testPolicy, server: server).deliverDue()
        #expect(attempts.map(\.response) == [.failed("http://localhost:8080/api/v1/events is this server (127.0.0.1:8080): not delivered to itself")])
        #expect(receiver.received == [])
    }

    @Test("the server knows its own address: its host, loopback, and its interfaces when it listens on all", arguments: [
        ("127.0.0.1", 8080, "http://127.0.0.1:8080/x", true),
        ("127.0.0.1", 8080, "http://localhost:8080/x", true),
        ("127.0.0.1", 8080, "http://[::1]:8080/x", true),
        ("127.0.0.1", 8080, "http://127.0.0.1:8081/x", false),
        ("127.0.0.1", 80, "http://127.0.0.1/x", true),
        ("127.0.0.1", 443, "https://LOCALHOST./x", true),
        ("127.0.0.1", 8080, "http://10.1.2.3:8080/x", false),
        ("0.0.0.0", 8080, "http://10.1.2.3:8080/x", true),
        ("0.0.0.0", 8080, "http://10.1.2.4:8080/x", false),
        ("0.0.0.0", 8080, "http://127.0.0.2:8080/x", true),
        ("10.1.2.3", 8080, "http://10.1.2.3:8080/x", true),
        ("10.1.2.3", 8080, "http://localhost:8080/x", false),
        ("gridbook.county.local", 8080, "http://GRIDBOOK.county.local:8080/x", true),
    ] as [(String, Int, String, Bool)])
    func ownAddress(host: String, port: Int, url: String, isSelf: Bool) throws {
        let server = ListeningAddress(host: host, port: port, localAddresses: ["10.1.2.3", "fe80::1"])
        #expect(server.isSelf(try #require(URL(string: url))) == isSelf)
    }

    @Test("the server's loop delivers new events within a poll and ends when its task is cancelled")
    func runLoop() async throws {
        let database = try await smallCountyDatabase()
        _ = try await database.addWebhook(url: "http://receiver.test/in", events: ["visit.logged"], secret: testSecret)
        let receiver = ScriptedTransport()
        // The pause between passes yields instead of waiting (no clock: the suite also runs under
        // faketime, where time may stand still).
        let pause: @Sendable (Duration) async throws -> Void = { poll in
            #expect(poll == .seconds(1))
            try Task.checkCancellation()
            await Task.yield()
        }
        let deliverer = WebhookDeliverer(database: database, transport: receiver, policy: testPolicy)
        let loop = Task { await deliverer.run(logger: Logger(label: "test"), sleep: pause) }
        try await logVisitsToH1(database, 2)
        for _ in 0..<1_000_000 where receiver.received.count < 2 { await Task.yield() }
        loop.cancel()
        await loop.value
        #expect(receiver.received.map(\.seq) == [1, 2])
        // Stopped: nothing more is sent.
        try await logVisitsToH1(database, 1, first: 3)
        #expect(receiver.received.map(\.seq) == [1, 2])
    }

    @Test("the test event is seq 0 of type webhook.test, describing the hook")
    func testEvent() async throws {
        let database = try await smallCountyDatabase()
        let hook = try await database.addWebhook(url: "http://receiver.test/in", events: ["risk.created", "visit.logged"], unit: "G1", secret: testSecret)
        let receiver = ScriptedTransport()
        let response = try await WebhookDeliverer(database: database, transport: receiver, policy: testPolicy).sendTest(hook: try #require(hook.id))
        #expect(response == .answered(200))
        #expect(receiver.received.map(\.body) == [
            #"{"at":"2026-12-01T00:00:00Z","data":{"events":["visit.logged","risk.created"],"unit_code":"G1","url":"http://receiver.test/in","webhook":1},"id":"1","seq":0,"type":"webhook.test"}"#,
        ])
        #expect(receiver.received.first?.headers[WebhookSignature.eventHeader] == "webhook.test")
        // Outside the outbox: the hook's state is as it was.
        #expect(try await database.webhookSummaries().map { "\($0.cursor) \($0.delivered)" } == ["0 0"])
        await #expect(throws: GridbookError.notFound("webhook 9")) {
            try await WebhookDeliverer(database: database, transport: receiver, policy: testPolicy).sendTest(hook: 9)
        }
    }
}
