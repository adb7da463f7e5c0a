import Synchronization

/// Lets at most `limit` heavy reads (reports over a county, for a past date) run at once; the
/// others wait their turn without holding a thread. So a few people refreshing a county report
/// can never take every reader connection from the requests that log visits and read due lists.
public final class ReportGate: Sendable {
    private let state: Mutex<State>

    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
        let limit: Int
    }

    /// A gate letting `limit` (at least 1) reports through at once.
    public init(limit: Int) {
        state = Mutex(State(limit: max(1, limit)))
    }

    /// Runs `work` once there is room, and makes room for the next when it ends.
    public func run<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await work()
    }

    private func enter() async {
        await withCheckedContinuation { continuation in
            let admitted = state.withLock { state -> Bool in
                guard state.running < state.limit else {
                    state.waiting.append(continuation)
                    return false
                }
                state.running += 1
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            // The place passes straight to the first in line (running stays the same).
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
