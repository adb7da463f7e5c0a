import Synchronization

/// A small in-memory cache whose entries live a few seconds: what every request would otherwise
/// read again (the caller behind a token, a unit's chain of ancestors). A change made elsewhere
/// (a revoked token, a moved unit) is seen once the entry expires, within `lifetime`.
final class ShortCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: (value: Value, expires: ContinuousClock.Instant)]>([:])
    private let lifetime: Duration
    private let capacity: Int

    /// A cache keeping each entry for `lifetime`, and at most `capacity` entries.
    init(lifetime: Duration, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The cached value, or the one `load` reads (cached unless nil). A zero lifetime caches nothing.
    func value(for key: Key, load: () throws -> Value?) rethrows -> Value? {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), entry.expires > now { return entry.value }
        guard let value = try load() else { return nil }
        guard lifetime > .zero else { return value }
        entries.withLock { entries in
            if entries.count >= capacity { entries = entries.filter { $0.value.expires > now } }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (value, now + lifetime)
        }
        return value
    }
}
