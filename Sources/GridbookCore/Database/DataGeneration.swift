import GRDB
import Synchronization

/// A number that moves whenever the database may have changed, for answers kept in memory (a
/// server's due pages): an answer worked out at generation G is still the answer while the
/// generation is G.
///
/// It moves at once for every transaction committed through this ``AppDatabase`` (it watches
/// the writer's commits, before the write returns to its caller, so a client always reads its
/// own writes), and, for the commits of other processes (a command-line import beside a
/// running server), each time ``AppDatabase/noteOutsideCommits(using:)`` finds that SQLite's
/// `data_version` moved.
public final class DataGeneration: TransactionObserver, Sendable {
    private let value = Atomic<UInt64>(0)
    /// The `data_version` that ``AppDatabase/noteOutsideCommits(using:)`` read last.
    private let outsideVersion = Mutex<Int64?>(nil)

    init() {}

    /// The current generation. Read it before reading the database: what is read after it is at
    /// least as new as the generation.
    public var current: UInt64 { value.load(ordering: .acquiring) }

    /// Moves the generation on (also when whether anything changed cannot be known).
    public func advance() {
        value.add(1, ordering: .releasing)
    }

    /// Moves the generation on when `dataVersion` differs from the one noted last (and at the first
    /// note: what another process wrote before it is not known).
    func note(dataVersion: Int64) {
        let moved = outsideVersion.withLock { last in
            defer { last = dataVersion }
            return last != dataVersion
        }
        if moved { advance() }
    }

    // MARK: TransactionObserver (on the writer's connection)

    /// No row events: watching them would cost every write statement a hook call.
    public func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    public func databaseDidChange(with event: DatabaseEvent) {}
    public func databaseDidCommit(_ db: Database) { advance() }
    public func databaseDidRollback(_ db: Database) {}
}

extension AppDatabase {
    /// A connection of its own for ``noteOutsideCommits(using:)`` (nil in memory).
    public func watchConnection() throws -> DatabaseQueue? {
        guard let path else { return nil }
        var config = Self.makeConfiguration(cacheMiB: 1)
        config.readonly = true
        return try DatabaseQueue(path: path, configuration: config)
    }

    /// Moves ``generation`` on when a connection other than `connection` committed since the last
    /// call (SQLite's `data_version`): how a server notices another process's writes. The server
    /// calls it every few tens of milliseconds.
    public func noteOutsideCommits(using connection: DatabaseQueue) async throws {
        let version = try await connection.unsafeRead { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        generation.note(dataVersion: version)
    }
}

/// A count shared by the copies of a value type (``AppDatabase`` is a struct), or by a server's
/// connections (how many are open).
public final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    public init() {}

    /// Counts one more; returns the count with it.
    @discardableResult
    public func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
    public func decrement() { value.subtract(1, ordering: .relaxed) }
    public var current: Int { value.load(ordering: .relaxed) }
}
