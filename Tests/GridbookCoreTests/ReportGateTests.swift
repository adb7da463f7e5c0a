@testable import GridbookCore
import Testing

/// How many pieces of work are inside the gate now, and the most there ever were.
actor Occupancy {
    private(set) var now = 0
    private(set) var most = 0

    func enter() {
        now += 1
        most = max(most, now)
    }

    func leave() { now -= 1 }
}

@Suite("Heavy reports take turns")
struct ReportGateTests {
    @Test("a gate of two lets two reports through at once, never more, and every one finishes", arguments: [1, 2, 3])
    func bounded(limit: Int) async throws {
        let gate = ReportGate(limit: limit)
        let occupancy = Occupancy()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<12 {
                group.addTask {
                    try await gate.run {
                        await occupancy.enter()
                        for _ in 0..<20 { await Task.yield() }
                        await occupancy.leave()
                        return index
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<12))
        #expect(await occupancy.most <= limit)
        #expect(await occupancy.now == 0)
    }

    @Test("a report that fails makes room for the next")
    func failureLeaves() async throws {
        struct Refused: Error {}
        let gate = ReportGate(limit: 1)
        await #expect(throws: Refused.self) { try await gate.run { throw Refused() } }
        #expect(try await gate.run { 7 } == 7)
    }

    @Test("a waiter whose client went away leaves the line without running; the others go on", .timeLimit(.minutes(1)))
    func cancelledWaiter() async throws {
        let gate = ReportGate(limit: 1)
        let occupancy = Occupancy()
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let (entered, enteredSignal) = AsyncStream<Void>.makeStream()
        // Given a report holding the gate…
        let holder = Task {
            try await gate.run {
                enteredSignal.yield()
                for await _ in release { break }
                return 1
            }
        }
        for await _ in entered { break }
        // …a second one waits; its task is cancelled.
        let waiter = Task {
            try await gate.run {
                await occupancy.enter()
                return 2
            }
        }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        // Then the holder finishes and a third report gets through; the cancelled one never ran.
        releaser.yield()
        #expect(try await holder.value == 1)
        #expect(try await gate.run { 3 } == 3)
        #expect(await occupancy.most == 0)
    }
}
