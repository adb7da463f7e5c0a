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

    /// What happened in the gate, in order.
    actor Journal {
        private(set) var lines: [String] = []
        func note(_ line: String) { lines.append(line) }
    }

    @Test("exclusive work waits for the reports under way, and the reports after it wait for it", .timeLimit(.minutes(1)))
    func exclusive() async throws {
        // Three places, two of them taken: a place is free, and still the exclusive work waits.
        let gate = ReportGate(limit: 3)
        let journal = Journal()
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let (entered, enteredSignal) = AsyncStream<Void>.makeStream()
        // Given two reports under way…
        let reports = (1...2).map { number in
            Task {
                try await gate.run {
                    await journal.note("report \(number) in")
                    enteredSignal.yield()
                    for await _ in release { break }
                    await journal.note("report \(number) out")
                }
            }
        }
        var iterator = entered.makeAsyncIterator()
        _ = await iterator.next()
        _ = await iterator.next()
        // …exclusive work comes, then a third report.
        let exclusive = Task { try await gate.run(exclusive: true) { await journal.note("exclusive") } }
        while await journal.lines.count < 2 { await Task.yield() }
        for _ in 0..<50 { await Task.yield() }
        let third = Task { try await gate.run { await journal.note("report 3") } }
        for _ in 0..<50 { await Task.yield() }
        #expect(await journal.lines == ["report 1 in", "report 2 in"])
        releaser.yield()
        releaser.yield()
        for report in reports { try await report.value }
        try await exclusive.value
        try await third.value
        let lines = await journal.lines
        #expect(lines.suffix(2) == ["exclusive", "report 3"])
        #expect(Set(lines.prefix(4)) == ["report 1 in", "report 2 in", "report 1 out", "report 2 out"])
    }

    @Test("an exclusive waiter whose task is cancelled lets the reports behind it through", .timeLimit(.minutes(1)))
    func cancelledExclusive() async throws {
        let gate = ReportGate(limit: 2)
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let (entered, enteredSignal) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await gate.run {
                enteredSignal.yield()
                for await _ in release { break }
            }
        }
        for await _ in entered { break }
        let exclusive = Task { try await gate.run(exclusive: true) { 1 } }
        for _ in 0..<50 { await Task.yield() }
        // A report behind the exclusive waiter waits, though a place is free…
        let behind = Task { try await gate.run { 2 } }
        for _ in 0..<50 { await Task.yield() }
        // …until the exclusive waiter goes away.
        exclusive.cancel()
        await #expect(throws: CancellationError.self) { try await exclusive.value }
        #expect(try await behind.value == 2)
        releaser.yield()
        try await holder.value
    }
}
