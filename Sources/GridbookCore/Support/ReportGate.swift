import Synchronization

/// Lets at most `limit` heavy reads (reports over a county, for a past date) run at once; the
/// others wait their turn without holding a thread. So a few people refreshing a county report
/// can never take every reader connection from the requests that log visits and read due lists.
/// A waiter whose task is cancelled (its client went away) leaves the line at once.
public final class ReportGate: Sendable {
    private let state: Mutex<State>

    private struct State {
        let limit: Int
        var running = 0
        var nextTicket: UInt64 = 0
        /// Those waiting, first come first served.
        var waiting: [(ticket: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        /// Tickets let through and not yet out.
        var admitted: Set<UInt64> = []
        /// Tickets cancelled before they joined the line.
        var cancelled: Set<UInt64> = []
    }

    /// A gate letting `limit` (at least 1) reports through at once.
    public init(limit: Int) {
        state = Mutex(State(limit: max(1, limit)))
    }

    /// Runs `work` once there is room, and makes room for the next when it ends; throws
    /// `CancellationError` without running it when the task is cancelled while waiting.
    public func run<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        let ticket = state.withLock { state -> UInt64 in
            state.nextTicket += 1
            return state.nextTicket
        }
        try await enter(ticket)
        defer { leave(ticket) }
        return try await work()
    }

    private func enter(_ ticket: UInt64) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if state.cancelled.remove(ticket) != nil { return .failure(CancellationError()) }
                    guard state.running < state.limit else {
                        state.waiting.append((ticket, continuation))
                        return nil
                    }
                    state.running += 1
                    state.admitted.insert(ticket)
                    return .success(())
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                if let index = state.waiting.firstIndex(where: { $0.ticket == ticket }) {
                    return state.waiting.remove(at: index).continuation
                }
                // Not in line yet: it must not join it. (Once let through, the work sees the cancellation itself.)
                if !state.admitted.contains(ticket) { state.cancelled.insert(ticket) }
                return nil
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func leave(_ ticket: UInt64) {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.admitted.remove(ticket)
            // The place passes straight to the first in line (running stays the same).
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            let next = state.waiting.removeFirst()
            state.admitted.insert(next.ticket)
            return next.continuation
        }
        next?.resume()
    }
}
