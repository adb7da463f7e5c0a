import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What became of one POST to a receiver.
public struct WebhookResponse: Equatable, Sendable {
    /// The HTTP status, or nil when no answer came (refused, timed out, not HTTP).
    public var status: Int?
    /// Why it did not succeed, in words for `webhook list`; empty on a 2xx.
    public var problem: String

    /// An answer with its status.
    public static func answered(_ status: Int) -> WebhookResponse {
        WebhookResponse(status: status, problem: (200..<300).contains(status) ? "" : "HTTP \(status)")
    }

    /// No answer, and why.
    public static func failed(_ problem: String) -> WebhookResponse {
        WebhookResponse(status: nil, problem: problem)
    }

    /// Whether the receiver took it: a 2xx.
    public var delivered: Bool { status.map { (200..<300).contains($0) } ?? false }
}

/// Sends a webhook's POST. The server's is ``URLSessionWebhookTransport``; tests may put another.
public protocol WebhookTransport: Sendable {
    /// POSTs `body` with `headers` to `url`, waiting at most `timeout` for the whole answer.
    func post(_ url: URL, headers: [(String, String)], body: [UInt8], timeout: Duration) async -> WebhookResponse
}

/// The webhook client: Foundation's URLSession (on Linux, FoundationNetworking over libcurl,
/// http and https) with an ephemeral configuration: no cookies, cache or stored credentials; a
/// redirect is not followed (a 3xx is the answer, and not a delivery); the timeout bounds the
/// whole attempt.
public final class URLSessionWebhookTransport: WebhookTransport, Sendable {
    private let session: URLSession
    /// Waits out an attempt's timeout (a test may put a timer of its own).
    private let sleep: @Sendable (Duration) async throws -> Void

    /// A client with its own session; `sleep` times the attempts out.
    public init(sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.urlCredentialStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        // A session delegate, not a task's: FoundationNetworking asks only the session's about redirects.
        session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
        self.sleep = sleep
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    public func post(_ url: URL, headers: [(String, String)], body: [UInt8], timeout: Duration) async -> WebhookResponse {
        let (seconds, attoseconds) = timeout.components
        let interval = TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
        let timedOut = WebhookResponse.failed("no answer within \(Self.describe(interval)) s")
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: interval)
        request.httpMethod = "POST"
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = Data(body)
        let (session, sleep, sent) = (session, sleep, request)
        // URLSession's own timeout is between bytes; the timer bounds the whole answer too (a
        // receiver sending a byte a second). Whichever ends first answers; the attempt is not
        // waited for once timed out (nor is the timer once answered).
        let answer = FirstAnswer()
        return await withCheckedContinuation { continuation in
            answer.set(continuation)
            let attempt = Task {
                do {
                    let (_, response) = try await session.data(for: sent)
                    guard let http = response as? HTTPURLResponse else { return answer.give(.failed("the answer was not HTTP")) }
                    answer.give(.answered(http.statusCode))
                } catch let error as URLError where error.code == .timedOut {
                    answer.give(timedOut)
                } catch {
                    answer.give(.failed(Self.describe(error)))
                }
            }
            let timer = Task {
                guard (try? await sleep(timeout)) != nil else { return }
                // The answer first: the cancelled attempt answers too ("URL error -999"), and it
                // won the race now and then.
                answer.give(timedOut)
                attempt.cancel()
            }
            answer.onGiven { timer.cancel() }
        }
    }

    /// Seconds as people write them: `5`, `0.3`.
    static func describe(_ seconds: TimeInterval) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
    }

    /// A transport failure in one line: the URL error's kind, not Foundation's whole description.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? URLError else { return "\(error)" }
        switch error.code {
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .networkConnectionLost: return "the connection was lost"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
             .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return "TLS failed (\(error.code.rawValue))"
        case .badServerResponse: return "the answer was not HTTP"
        default: return "no answer (URL error \(error.code.rawValue))"
        }
    }
}

/// The answer of an attempt or of its timer, whichever comes first; the later one is dropped.
private final class FirstAnswer: Sendable {
    private struct State {
        var continuation: CheckedContinuation<WebhookResponse, Never>?
        var given: WebhookResponse?
        var onGiven: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    /// The continuation to resume with the first answer (at once when one came already).
    func set(_ continuation: CheckedContinuation<WebhookResponse, Never>) {
        let given = state.withLock { state -> WebhookResponse? in
            if let given = state.given { return given }
            state.continuation = continuation
            return nil
        }
        if let given { continuation.resume(returning: given) }
    }

    /// What to do once an answer is given (stop the timer).
    func onGiven(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.given != nil { return true }
            state.onGiven = action
            return false
        }
        if now { action() }
    }

    /// Gives an answer, unless one was given before.
    func give(_ response: WebhookResponse) {
        let taken = state.withLock { state -> (CheckedContinuation<WebhookResponse, Never>?, (@Sendable () -> Void)?)? in
            guard state.given == nil else { return nil }
            state.given = response
            defer { state.continuation = nil; state.onGiven = nil }
            return (state.continuation, state.onGiven)
        }
        guard let (continuation, action) = taken else { return }
        continuation?.resume(returning: response)
        action?()
    }
}

/// Answers every redirect with "do not follow": the 3xx itself is the answer.
private final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
