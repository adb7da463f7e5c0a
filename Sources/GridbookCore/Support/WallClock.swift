import Foundation

/// The time now, for every rule that needs it (ids by year, due lists for today, expiry, "in the
/// future"): the real clock in use, a fixed or stepped one in tests. One reaches the whole program
/// through ``AppDatabase/clock``.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    /// A clock that asks `read` for the time.
    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    /// The real time.
    public static let system = WallClock { Date() }

    /// A clock that always says `date`.
    public static func fixed(_ date: Date) -> WallClock {
        WallClock { date }
    }

    /// The time now.
    public func now() -> Date {
        read()
    }
}
