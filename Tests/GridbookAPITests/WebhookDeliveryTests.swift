import Foundation
import GridbookAPI
@testable import GridbookCLI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// A clock a test moves by hand.
final class HandClock: Sendable {
    private let date: Mutex<Date>

    /// A clock at `start`.
    init(_ start: Date) { date = Mutex(start) }

    /// The clock for a database.
    var wallClock: WallClock { WallClock { self.date.withLock { $0 } } }

    /// The time it says.
    var now: Date { date.withLock { $0 } }

    /// Moves the clock on.
    func advance(by seconds: TimeInterval) { date.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The test receiver: an HTTP server on loopback (Hummingbird on a free port) that does what a
/// county system receiving Gridbook's webhooks must, and notes what it saw: it checks the
/// signature and the timestamp (refusing a bad or stale one with 401), answers as its script
/// says for each seq and attempt, takes a seq once (a seq it answered 2xx before is a duplicate).
final class TestReceiver: Sendable {
    /// What the receiver does with one attempt.
    enum Answer: Sendable {
        /// Answer with this status.
        case status(Int)
        /// Hold the answer back until the test ends, and run the deliverer's timer out (``timer(_:)``).
        case hang
    }

    /// One request as received.
    struct Received: Equatable, Sendable {
        var seq: Int64
        var type: String
        var body: String
        /// Whether the signature and timestamp checked out.
        var verified: Bool
        /// `200`, `500`, … or `late` for an answer the deliverer had stopped waiting for.
        var answer: String
    }

    private struct State {
        var received: [Received] = []
        var accepted: [Int64] = []
        var duplicates: [Int64] = []
    }

    /// The deliverer's timers waiting, and whether a hold began with none waiting (the next one runs out at once).
    private struct Timers {
        var waiting: [UUID: CheckedContinuation<Void, Never>] = [:]
        var pending = false
        var held: [CheckedContinuation<Void, Never>] = []
        var released = false
    }

    private let state = Mutex(State())
    private let timers = Mutex(Timers())
    private let secret: String
    private let clock: @Sendable () -> Date
    private let script: @Sendable (_ seq: Int64, _ attempt: Int) -> Answer

    /// A receiver checking signatures with `secret` against `clock`, answering by `script`.
    init(secret: String, clock: @escaping @Sendable () -> Date, script: @escaping @Sendable (Int64, Int) -> Answer = { _, _ in .status(200) }) {
        self.secret = secret
        self.clock = clock
        self.script = script
    }

    /// Every request, in the order received.
    var received: [Received] { state.withLock { $0.received } }
    /// The seqs taken (answered 2xx), in order.
    var accepted: [Int64] { state.withLock { $0.accepted } }
    /// Seqs that came again after being taken.
    var duplicates: [Int64] { state.withLock { $0.duplicates } }

    /// Runs the receiver on a free loopback port while `body` runs with its address.
    func serve<T: Sendable>(_ body: @Sendable (_ base: String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("hook") { request, _ in try await self.take(request) }
        router.post("moved") { _, _ in Response(status: .temporaryRedirect, headers: [.location: "/hook"]) }
        let app = Application(router: router, logger: quietLogger)
        return try await app.test(.live) { client in
            // The answers held back are let go before the server stops (it waits for them).
            defer { releaseHeld() }
            return try await body("http://localhost:\(try #require(client.port))")
        }
    }

    /// The transport's timer in the tests, with no clock (the suite also runs under faketime,
    /// where time may stand still): it runs out when the receiver begins to hold an answer back,
    /// and ends early when the attempt is answered.
    @Sendable func timer(_: Duration) async throws {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = timers.withLock { timers -> Bool in
                    if Task.isCancelled { return true }
                    if timers.pending {
                        timers.pending = false
                        return true
                    }
                    timers.waiting[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            timers.withLock { $0.waiting.removeValue(forKey: id) }?.resume()
        }
        try Task.checkCancellation()
    }

    /// Runs out the timer of the attempt being held (or the next timer, when it has not begun yet).
    private func runTimersOut() {
        let waiting = timers.withLock { timers in
            defer { timers.waiting = [:] }
            if timers.waiting.isEmpty { timers.pending = true }
            return Array(timers.waiting.values)
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Waits until the test lets held answers go.
    private func hold() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let released = timers.withLock { timers in
                if !timers.released { timers.held.append(continuation) }
                return timers.released
            }
            if released { continuation.resume() }
        }
    }

    /// Lets every held answer go.
    private func releaseHeld() {
        let held = timers.withLock { timers in
            timers.released = true
            defer { timers.held = [] }
            return timers.held
        }
        for continuation in held { continuation.resume() }
    }

    /// Handles one delivery.
    private func take(_ request: Request) async throws -> Response {
        let body = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
        func header(_ name: String) -> String { request.headers.first { $0.name.canonicalName == name.lowercased() }?.value ?? "" }
        let seq = Int64(header(WebhookSignature.seqHeader)) ?? -1
        var received = Received(seq: seq, type: header(WebhookSignature.eventHeader), body: String(decoding: body, as: UTF8.self),
                                verified: WebhookSignature.verify(body: body, timestamp: header(WebhookSignature.timestampHeader),
                                                                  signature: header(WebhookSignature.signatureHeader), secret: secret, now: clock()),
                                answer: "401")
        guard received.verified else {
            state.withLock { $0.received.append(received) }
            return Response(status: .unauthorized)
        }
        let attempt = state.withLock { state in state.received.filter { $0.seq == seq }.count + 1 }
        switch script(seq, attempt) {
        case .hang:
            received.answer = "late"
            state.withLock { $0.received.append(received) }
            runTimersOut()
            await hold()
            return Response(status: .ok)
        case .status(let status):
            received.answer = "\(status)"
            state.withLock { state in
                state.received.append(received)
                guard (200..<300).contains(status) else { return }
                if state.accepted.contains(seq) { state.duplicates.append(seq) } else { state.accepted.append(seq) }
            }
            return Response(status: .init(code: status))
        }
    }
}

/// A county database in a new file (the API tests' county), opened again with `clock`; the
/// file's path, to open it again as a restarted server would.
func webhookDatabase(clock: HandClock) async throws -> (AppDatabase, path: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-webhooks-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("county.sqlite").path
    _ = try await apiDatabase(file: path)
    return (try AppDatabase.open(path: path, clock: clock.wallClock), path)
}

/// The secret of the tests' hooks.
let hookSecret = "whsec_receiver_test_0123456789"

/// The deliverer of the tests: the real URLSession client, 10 s between attempts. An attempt
/// times out when `timer` runs out (the test receiver's, with no clock), else after a real
/// `timeout` (a minute): under a loaded test run, no answer is ever late by the clock.
func testDeliverer(_ database: AppDatabase, server: ListeningAddress? = nil, timeout: Duration = .seconds(60),
                   timer: (@Sendable (Duration) async throws -> Void)? = nil) -> WebhookDeliverer {
    WebhookDeliverer(database: database, transport: timer.map { URLSessionWebhookTransport(sleep: $0) } ?? URLSessionWebhookTransport(),
                     policy: WebhookPolicy(timeout: timeout, backoff: { _ in 10 }), server: server)
}

@Suite("Webhooks delivered over HTTP to a test receiver")
struct WebhookDeliveryTests {
    @Test("every event reaches the receiver signed, in feed order and once: retried after a 500 and after a timeout, personal data masked")
    func delivery() async throws {
        let clock = HandClock(apiNow)
        let (database, _) = try await webhookDatabase(clock: clock)
        let receiver = TestReceiver(secret: hookSecret, clock: { clock.now }) { seq, attempt in
            seq == 2 && attempt == 1 ? .status(500) : seq == 3 && attempt == 1 ? .hang : .status(200)
        }
        try await receiver.serve { base in
            _ = try await database.addWebhook(url: base + "/hook", events: ["visit.logged", "case.created"], secret: hookSecret)
            for n in 1...4 { _ = try await database.logVisit(metVisit(n), by: .person("P1")) }
            // A record carrying personal data (as a case filed with a reporter's phone might).
            try await database.write { db in
                try db.execute(sql: "INSERT INTO events (type, record_id, at, data) VALUES ('case.created', '2026-000001', '2026-12-01T00:00:00Z', ?)",
                               arguments: [#"{"id":"2026-000001","reporter":{"name":"张伟","phone":"13812341234","id_number":"110101199003071233"}}"#])
            }
            let deliverer = testDeliverer(database, timer: receiver.timer)
            var problems: [String] = []
            for _ in 0..<6 where receiver.accepted.count < 5 {
                problems += try await deliverer.deliverDue().map { "\($0.seq) \($0.response.problem)" }
                clock.advance(by: 10)
            }
            #expect(problems == ["1 ", "2 HTTP 500", "2 ", "3 no answer within 60 s", "3 ", "4 ", "5 "])
        }
        #expect(receiver.received.map { "\($0.seq) \($0.type) \($0.answer)" } == [
            "1 visit.logged 200", "2 visit.logged 500", "2 visit.logged 200", "3 visit.logged late", "3 visit.logged 200",
            "4 visit.logged 200", "5 case.created 200",
        ])
        let allVerified = receiver.received.allSatisfy(\.verified)
        #expect(allVerified)
        #expect(receiver.accepted == [1, 2, 3, 4, 5])
        #expect(receiver.duplicates == [])
        // The body is the feed's event exactly, as the API encodes it (on one line).
        let feed = try await database.feed(after: 0, limit: 1).items
        #expect(receiver.received.first?.body == String(decoding: try JSONOutput.bytes(try #require(feed.first), pretty: false), as: UTF8.self))
        #expect(receiver.received.last?.body
                == #"{"at":"2026-12-01T00:00:00Z","data":{"id":"2026-000001","reporter":{"id_number":"110101********1233","name":"张伟","phone":"138****1234"}},"id":"2026-000001","seq":5,"type":"case.created"}"#)
        #expect(try await database.webhookSummaries().map { "\($0.cursor) \($0.delivered) \($0.failed)" } == ["5 5 0"])
    }

    @Test("a restarted server resumes where the last one stopped: the event being retried is sent again, none delivered is")
    func restart() async throws {
        let clock = HandClock(apiNow)
        let (database, path) = try await webhookDatabase(clock: clock)
        let receiver = TestReceiver(secret: hookSecret, clock: { clock.now }) { seq, attempt in
            seq == 3 && attempt == 1 ? .status(500) : .status(200)
        }
        try await receiver.serve { base in
            _ = try await database.addWebhook(url: base + "/hook", events: ["visit.logged"], secret: hookSecret)
            for n in 1...3 { _ = try await database.logVisit(metVisit(n), by: .person("P1")) }
            _ = try await testDeliverer(database).deliverDue()
            #expect(receiver.received.map { "\($0.seq) \($0.answer)" } == ["1 200", "2 200", "3 500"])
            // The server stops; another visit comes in from the command line; the server starts again.
            let reopened = try AppDatabase.open(path: path, clock: clock.wallClock)
            _ = try await reopened.logVisit(metVisit(4), by: .person("P1"))
            clock.advance(by: 10)
            _ = try await testDeliverer(reopened).deliverDue()
            #expect(try await testDeliverer(reopened).deliverDue() == [])
        }
        #expect(receiver.received.map { "\($0.seq) \($0.answer)" } == ["1 200", "2 200", "3 500", "3 200", "4 200"])
        #expect(receiver.accepted == [1, 2, 3, 4])
        #expect(receiver.duplicates == [])
    }

    @Test("an event refused for 24 hours is kept as failed; webhook list shows it with the last error; the next is delivered")
    func failedAfterADay() async throws {
        let clock = HandClock(apiNow)
        let (database, path) = try await webhookDatabase(clock: clock)
        let receiver = TestReceiver(secret: hookSecret, clock: { clock.now }) { seq, _ in seq == 1 ? .status(500) : .status(200) }
        try await receiver.serve { base in
            _ = try await database.addWebhook(url: base + "/hook", events: ["visit.logged"], secret: hookSecret)
            for n in 1...2 { _ = try await database.logVisit(metVisit(n), by: .person("P1")) }
            let deliverer = testDeliverer(database)
            _ = try await deliverer.deliverDue()
            #expect(try await printed(["webhook", "list", "--db", path, "--format", "csv"])
                    == "id,url,events,unit,delivered,up to seq,retrying,failed,last error\r\n"
                    + "1,\(base)/hook,visit.logged,,0,0,\"seq 1, 1 attempt, next 2026-12-01T00:00:10Z\",0,HTTP 500\r\n")
            clock.advance(by: 24 * 3600)
            #expect(try await deliverer.deliverDue().map { "\($0.seq) \($0.gaveUp) \($0.response.problem)" } == ["1 true HTTP 500", "2 false "])
            let listed = try await printed(["webhook", "list", "--db", path, "--format", "csv"])
            #expect(listed == "id,url,events,unit,delivered,up to seq,retrying,failed,last error\r\n"
                + "1,\(base)/hook,visit.logged,,1,2,,1,seq 1: HTTP 500 (gave up 2026-12-02T00:00:00Z)\r\n")
        }
        #expect(receiver.received.map { "\($0.seq) \($0.answer)" } == ["1 500", "1 500", "2 200"])
    }

    @Test("a redirect is not followed: the 3xx is the answer, and a failed attempt")
    func noRedirect() async throws {
        let clock = HandClock(apiNow)
        let (database, _) = try await webhookDatabase(clock: clock)
        let receiver = TestReceiver(secret: hookSecret, clock: { clock.now })
        try await receiver.serve { base in
            _ = try await database.addWebhook(url: base + "/moved", events: ["visit.logged"], secret: hookSecret)
            _ = try await database.logVisit(metVisit(1), by: .person("P1"))
            #expect(try await testDeliverer(database).deliverDue().map(\.response) == [.answered(307)])
        }
        #expect(receiver.received == [])
    }

    @Test("a Gridbook server answers a webhook delivery 508 without handling it, so a hook can never loop through it")
    func loopGuard() async throws {
        let handled = Mutex(0)
        let router = Router()
        router.add(middleware: WebhookLoopGuardMiddleware())
        router.post("api/v1/visits") { _, _ in
            handled.withLock { $0 += 1 }
            return Response(status: .created)
        }
        let (database, _) = try await webhookDatabase(clock: HandClock(apiNow))
        try await Application(router: router, logger: quietLogger).test(.live) { client in
            let port = try #require(client.port)
            _ = try await database.addWebhook(url: "http://localhost:\(port)/api/v1/visits", events: ["visit.logged"], secret: hookSecret)
            _ = try await database.logVisit(metVisit(1), by: .person("P1"))
            #expect(try await testDeliverer(database).deliverDue().map(\.response) == [.answered(508)])
            // Without the header, the request is handled.
            try await client.execute(uri: "/api/v1/visits", method: .post) { #expect($0.status == .created) }
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: [.init(WebhookSignature.eventHeader)!: "visit.logged"]) { response in
                #expect(response.status.code == 508)
                #expect(String(buffer: response.body) == """
                    {
                      "error" : {
                        "code" : "loop_detected",
                        "details" : [

                        ],
                        "message" : "a Gridbook webhook delivery (X-Gridbook-Event) is never handled by a Gridbook server: the hook points back at one"
                      }
                    }
                    """)
            }
        }
        #expect(handled.withLock { $0 } == 1)
    }

    @Test("the deliverer never sends to the server's own host and port")
    func notToItself() async throws {
        let (database, _) = try await webhookDatabase(clock: HandClock(apiNow))
        let receiver = TestReceiver(secret: hookSecret, clock: { apiNow })
        try await receiver.serve { base in
            let port = try #require(URLComponents(string: base)?.port)
            _ = try await database.addWebhook(url: base + "/hook", events: ["visit.logged"], secret: hookSecret)
            _ = try await database.logVisit(metVisit(1), by: .person("P1"))
            let attempts = try await testDeliverer(database, server: ListeningAddress(host: "127.0.0.1", port: port)).deliverDue()
            #expect(attempts.map(\.response.problem) == ["\(base)/hook is this server (127.0.0.1:\(port)): not delivered to itself"])
        }
        #expect(receiver.received == [])
    }

    @Test("webhook add prints a new secret once and audits; a bad URL or secret file is refused with nothing written; webhook test gets the receiver's answer")
    func commandLine() async throws {
        let (_, path) = try await webhookDatabase(clock: HandClock(apiNow))
        let database = try AppDatabase.open(path: path, clock: .fixed(apiNow))
        let receiver = TestReceiver(secret: hookSecret, clock: { apiNow })
        let secretFile = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("secret.txt")
        try Data((hookSecret + "\n").utf8).write(to: secretFile)
        try await receiver.serve { base in
            // Refused: nothing written.
            let auditBefore = try await database.auditEntries().count
            for (arguments, message) in [
                (["ftp://example.org/in", "--events", "visit.logged"], "url: ftp://example.org/in is not an http or https URL (ftp: is not delivered to)"),
                ([base + "/hook", "--events", "visit.logged", "--secret-file", secretFile.path + ".missing"], "--secret-file: cannot read \(secretFile.path).missing"),
                ([base + "/hook", "--events", "visit.logged", "--unit", "G9"], "unknown unit G9"),
            ] {
                await #expect { try await printed(["webhook", "add", "--db", path] + arguments) } throws: { "\($0)" == message }
            }
            #expect(try await database.webhookSummaries() == [])
            #expect(try await database.auditEntries().count == auditBefore)
            // A generated secret is printed once, on standard output.
            let secret = try await printed(["webhook", "add", "--db", path, base + "/other", "--events", "risk.created,case.created", "--unit", "T1"])
            #expect(secret.hasPrefix("whsec_") && secret.count == 6 + 64 + 1)
            #expect(try await database.webhook(id: 1).secret + "\n" == secret)
            // With a secret file, nothing is printed on standard output.
            #expect(try await printed(["webhook", "add", "--db", path, base + "/hook", "--events", "visit.logged", "--secret-file", secretFile.path]) == "")
            #expect(try await database.webhook(id: 2).secret == hookSecret)
            #expect(try await database.auditEntries().suffix(2).map { "\($0.action) \($0.recordId) \($0.detail)" } == [
                "webhook.add 1 \(base)/other risk.created,case.created under T1", "webhook.add 2 \(base)/hook visit.logged",
            ])
            #expect(try await printed(["webhook", "test", "--db", path, "2"]) == "webhook 2: \(base)/hook answered HTTP 200\n")
            // Hook 1's URL has no receiver behind it (404): said in one line, exit non-zero.
            await #expect { try await printed(["webhook", "test", "--db", path, "1"]) } throws: { "\($0)" == "webhook 1: \(base)/other: HTTP 404" }
            #expect(try await printed(["webhook", "remove", "--db", path, "1"]) == "webhook 1 removed\n")
            await #expect { try await printed(["webhook", "remove", "--db", path, "1"]) } throws: { "\($0)" == "unknown webhook 1" }
        }
        #expect(receiver.received.map { "\($0.seq) \($0.type) \($0.verified) \($0.answer)" } == ["0 webhook.test true 200"])
    }
}
