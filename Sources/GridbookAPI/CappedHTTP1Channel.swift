import Foundation
import GridbookCore
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// Hummingbird's HTTP/1 channel with a cap on the connections served at once. A connection past
/// the cap is not left waiting in the kernel's queue, where a client sees nothing until it
/// times out: it is accepted and told `503 too_many_connections` with `Retry-After`, then
/// closed. Past the cap plus ``refusalRoom`` (a flood), connections wait to be accepted, so the
/// server never runs out of file descriptors.
struct CappedHTTP1Channel: ServerChildChannel {
    /// A connection served over HTTP/1, or one refused.
    enum Value: ServerChildChannelValue {
        case served(HTTP1Channel.Value)
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .served(let value): value.channel
            case .refused(let channel): channel
            }
        }
    }

    /// Connections beyond the cap that may be open at once to be told they are refused.
    static let refusalRoom = 256

    let inner: HTTP1Channel
    let maxConnections: Int
    /// The connections open now, served or being refused.
    let open = Counter()
    let refusalLog = OncePerSecond()
    /// The whole answer to a connection past the cap, made once.
    let refusal: [UInt8]

    init(inner: HTTP1Channel, maxConnections: Int) {
        self.inner = inner
        self.maxConnections = maxConnections
        self.refusal = Self.refusal(maxConnections: maxConnections)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let count = open.increment()
        channel.closeFuture.whenComplete { _ in open.decrement() }
        guard count <= maxConnections else { return channel.eventLoop.makeSucceededFuture(.refused(channel)) }
        return inner.setup(channel: channel, logger: logger).map { .served($0) }
    }

    func handle(value: Value, logger: Logger) async {
        switch value {
        case .served(let value):
            await inner.handle(value: value, logger: logger)
        case .refused(let channel):
            if refusalLog.isDue(now: Date()) {
                logger.notice("connections refused: too many at once (said at most once a second)",
                              metadata: ["max_connections": "\(maxConnections)"])
            }
            // The request, if any, is read and dropped (nothing in this pipeline keeps it), so
            // the close that follows the answer does not reset it before the client reads it.
            let answer = channel.allocator.buffer(bytes: refusal)
            channel.writeAndFlush(answer).whenComplete { _ in
                channel.close(mode: .output, promise: nil)
                channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
            }
            try? await channel.closeFuture.get()
        }
    }

    /// The whole HTTP answer to a connection past the cap: the error body of SPEC section 6.
    static func refusal(maxConnections: Int) -> [UInt8] {
        let body = APIError(.serviceUnavailable, code: "too_many_connections",
                            message: "the server is serving its most connections at once (\(maxConnections)); try again shortly",
                            retryAfter: 1).body
        let head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: 1\r\n"
            + "Connection: close\r\nContent-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }
}

/// Says when something said in a flood (a refused connection) is due again: the first time in
/// each second, so that a flood is one log line a second, not one a connection.
final class OncePerSecond: Sendable {
    private let said = Atomic<Int>(0)

    func isDue(now: Date) -> Bool {
        let second = Int(now.timeIntervalSince1970)
        let last = said.load(ordering: .relaxed)
        return last != second && said.compareExchange(expected: last, desired: second, ordering: .relaxed).exchanged
    }
}
