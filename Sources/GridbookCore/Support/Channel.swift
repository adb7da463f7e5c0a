import Dispatch
import Synchronization

/// A bounded first-in first-out queue between one producing thread and one consuming thread.
final class Channel<Element: Sendable>: Sendable {
    private let state = Mutex<(items: [Element], closed: Bool)>(([], false))
    private let available = DispatchSemaphore(value: 0)
    private let space: DispatchSemaphore

    /// A channel holding at most `capacity` elements; `send` waits while it is full.
    init(capacity: Int) {
        space = DispatchSemaphore(value: capacity)
    }

    /// Adds an element, waiting for room.
    func send(_ element: Element) {
        space.wait()
        state.withLock { $0.items.append(element) }
        available.signal()
    }

    /// Says that nothing more will be sent.
    func close() {
        state.withLock { $0.closed = true }
        available.signal()
    }

    /// The next element, waiting for one; nil once the channel is closed and empty.
    func receive() -> Element? {
        available.wait()
        let element: Element? = state.withLock { state in
            state.items.isEmpty ? nil : state.items.removeFirst()
        }
        if element != nil {
            space.signal()
        } else {
            // Closed and empty: let any later receive see that too.
            available.signal()
        }
        return element
    }

    /// Receives and drops everything until the channel is closed, so the producer can finish.
    func drain() {
        while receive() != nil {}
    }
}
