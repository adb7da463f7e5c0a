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
    func value(for key: Key, load: () async throws -> Value?) async throws -> Value? {
        if let value = cached(key) { return value }
        guard let value = try await load() else { return nil }
        store(value, for: key)
        return value
    }

    /// The cached value, or the one `make` makes (cached).
    func value(for key: Key, orMake make: () async throws -> Value) async throws -> Value {
        if let value = cached(key) { return value }
        return store(try await make(), for: key)
    }

    /// The cached value, or the one `load` reads with a connection at hand (cached unless nil).
    func value(for key: Key, load: () throws -> Value?) rethrows -> Value? {
        if let value = cached(key) { return value }
        guard let value = try load() else { return nil }
        store(value, for: key)
        return value
    }

    private func cached(_ key: Key) -> Value? {
        let now = ContinuousClock.now
        guard let entry = entries.withLock({ $0[key] }), entry.expires > now else { return nil }
        return entry.value
    }

    /// Keeps `value` for `key` in place of what was kept, and returns it.
    @discardableResult
    func store(_ value: Value, for key: Key) -> Value {
        let now = ContinuousClock.now
        guard lifetime > .zero else { return value }
        entries.withLock { entries in
            if entries.count >= capacity { entries = entries.filter { $0.value.expires > now } }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (value, now + lifetime)
        }
        return value
    }
}
