import Synchronization

/// Lets at most `limit` heavy reads (reports over a county, for a past date) run at once; the
/// others wait their turn without holding a thread. So a few people refreshing a county report
/// can never take every reader connection from the requests that log visits and read due lists.
/// A waiter whose task is cancelled (its client went away) leaves the line at once.
///
/// Work that must run with no report under way (the checkpoint that lets the WAL start over,
/// which no old snapshot may hold back) takes every place at once (`exclusive`): it waits for the
/// reports running to end, and the reports that come after it wait for it. The line is first
/// come, first served, so it is never starved.
public final class ReportGate: Sendable {
    private let state: Mutex<State>

    private struct Waiter {
        let ticket: UInt64
        let places: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        let limit: Int
        var running = 0
        var nextTicket: UInt64 = 0
        /// Those waiting, first come first served.
        var waiting: [Waiter] = []
        /// Tickets let through and not yet out, with the places each took.
        var admitted: [UInt64: Int] = [:]
        /// Tickets cancelled before they joined the line.
        var cancelled: Set<UInt64> = []

        /// Lets through those at the head of the line that fit now, in order; returns them to resume.
        mutating func admitFromLine() -> [CheckedContinuation<Void, any Error>] {
            var admittedNow: [CheckedContinuation<Void, any Error>] = []
            while let first = waiting.first, running + first.places <= limit {
                waiting.removeFirst()
                running += first.places
                admitted[first.ticket] = first.places
                admittedNow.append(first.continuation)
            }
            return admittedNow
        }
    }

    /// A gate letting `limit` (at least 1) reports through at once.
    public init(limit: Int) {
        state = Mutex(State(limit: max(1, limit)))
    }

    /// Runs `work` once there is room (every place, when `exclusive`), and makes room for the next
    /// when it ends; throws `CancellationError` without running it when the task is cancelled
    /// while waiting.
    public func run<T: Sendable>(exclusive: Bool = false, _ work: () async throws -> T) async throws -> T {
        let (ticket, places) = state.withLock { state -> (UInt64, Int) in
            state.nextTicket += 1
            return (state.nextTicket, exclusive ? state.limit : 1)
        }
        try await enter(ticket, places: places)
        defer { leave(ticket) }
        return try await work()
    }

    private func enter(_ ticket: UInt64, places: Int) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if state.cancelled.remove(ticket) != nil { return .failure(CancellationError()) }
                    // Nobody passes those already in line.
                    guard state.waiting.isEmpty, state.running + places <= state.limit else {
                        state.waiting.append(Waiter(ticket: ticket, places: places, continuation: continuation))
                        return nil
                    }
                    state.running += places
                    state.admitted[ticket] = places
                    return .success(())
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let (cancelled, admittedNow) = state.withLock { state -> (CheckedContinuation<Void, any Error>?, [CheckedContinuation<Void, any Error>]) in
                if let index = state.waiting.firstIndex(where: { $0.ticket == ticket }) {
                    let waiter = state.waiting.remove(at: index)
                    // An exclusive waiter leaving the head of the line may let the next ones through.
                    return (waiter.continuation, state.admitFromLine())
                }
                // Not in line yet: it must not join it. (Once let through, the work sees the cancellation itself.)
                if state.admitted[ticket] == nil { state.cancelled.insert(ticket) }
                return (nil, [])
            }
            cancelled?.resume(throwing: CancellationError())
            for continuation in admittedNow { continuation.resume() }
        }
    }

    private func leave(_ ticket: UInt64) {
        let admittedNow = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.running -= state.admitted.removeValue(forKey: ticket) ?? 0
            return state.admitFromLine()
        }
        for continuation in admittedNow { continuation.resume() }
    }
}
