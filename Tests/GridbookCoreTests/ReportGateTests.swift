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
}
