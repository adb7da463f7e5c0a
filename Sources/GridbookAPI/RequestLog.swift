import Foundation
import GridbookCore
import Hummingbird
import Logging
import Synchronization

/// What the inner middleware learn of a request that the request log reports once it is
/// answered: for now, who the caller was.
public final class RequestTrace: Sendable {
    private let person = Mutex<String?>(nil)

    init() {}

    /// The caller's person id, once their token has been checked.
    package var personId: String? {
        get { person.withLock { $0 } }
        set { person.withLock { $0 = newValue } }
    }
}

/// One log line per request, at info level: method, path (never the query, which may carry
/// personal data), status, duration in milliseconds and the caller's person id. Never a token.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = GridbookRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: response.status, since: start)
            return response
        } catch let error as any HTTPResponseError {
            log(request, context, status: error.status, since: start)
            throw error
        } catch {
            log(request, context, status: .internalServerError, since: start)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: HTTPResponse.Status, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(Self.loggedPath(request.uri.path)),
            "status": .stringConvertible(status.code),
            "duration_ms": .string(String(format: "%.2f", milliseconds)),
        ]
        if let person = context.trace.personId { metadata["person"] = .string(person) }
        context.logger.log(level: status.code >= 500 ? .error : .info, "request", metadata: metadata)
    }

    /// The path as logged: a token in an Open311 path (`tokens/{token}.json`) is left out.
    static func loggedPath(_ path: String) -> String {
        guard let range = path.range(of: "/tokens/") else { return path }
        return path[..<range.upperBound] + "…"
    }
}

/// Log lines as JSON objects, one a line, for log collectors: `{"at", "level", "label", "message", ...metadata}`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: @Sendable (String) -> Void

    /// A handler writing to standard error.
    public init(label: String) {
        self.init(label: label) { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    /// A handler writing each line through `output` (tests collect them).
    public init(label: String, output: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [
            "at": Timestamp(epochSeconds: Int(Date().timeIntervalSince1970)).text,
            "level": event.level.rawValue, "label": label, "message": event.message.description,
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = "\(value)" }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]),
              let line = String(data: data, encoding: .utf8)
        else { return }
        output(line)
    }
}
