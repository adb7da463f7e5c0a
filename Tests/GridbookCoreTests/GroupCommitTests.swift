import Foundation
import Synchronization
@testable import GridbookCore
import Testing

@Suite("Visits logged at once are committed together, each on its own")
struct GroupCommitTests {
    /// A met visit to `household` by P1 (the grid member of G1) with a numbered id.
    private func visit(_ n: Int, household: String = "H1") -> NewVisit {
        NewVisit(id: String(format: "bbbbbbbb-0000-4000-8000-%012d", n), householdCode: household, visitorId: "P1",
                 visitedAt: "2026-06-30T09:00:00+08:00", method: .door, outcome: .met)
    }

    @Test("200 visits sent at once: each stored once and answered with itself, with its audit entry and event")
    func manyAtOnce() async throws {
        let database = try await smallCountyDatabase()
        let before = try await tableCounts(database)
        let answers = try await withThrowingTaskGroup(of: (Int, Visit).self) { group in
            for n in 1...200 {
                group.addTask { (n, try await database.logVisit(visit(n, household: n % 2 == 0 ? "H1" : "H3"), now: testNow).visit) }
            }
            return try await group.reduce(into: [Int: Visit]()) { $0[$1.0] = $1.1 }
        }
        // Each caller is answered with its own visit, not another of its group.
        #expect(answers.count == 200)
        #expect(answers.allSatisfy { n, stored in stored.id == visit(n).id && stored.householdCode == (n % 2 == 0 ? "H1" : "H3") })
        let after = try await tableCounts(database)
        #expect(after["visits"] == before["visits"]! + 200)
        #expect(try await database.auditEntries(actor: "system").filter { $0.action == "visit.log" }.count == 200)
        #expect(try await database.feed(after: 0, limit: 1000).items.filter { $0.type == "visit.logged" }.count == 200)
    }

    @Test("a refused visit among others at once fails alone and writes nothing; the same id twice is one visit")
    func refusalsStayAlone() async throws {
        let database = try await smallCountyDatabase()
        let before = try await tableCounts(database)
        // The writer is held busy until the 40 visits wait together, so that they go in one group.
        // (No clock: the suite also runs under faketime, where time may stand still.)
        let release = DispatchSemaphore(value: 0)
        let holding = Mutex(false)
        let busy = Task { try await database.write { _ in holding.withLock { $0 = true }; release.wait() } }
        while !holding.withLock({ $0 }) { await Task.yield() }
        let releaser = Task {
            while database.visitWrites.waitingCount < 40 { await Task.yield() }
            release.signal()
        }
        enum Outcome: Sendable, Equatable { case stored(String, new: Bool), refused(String) }
        let outcomes = await withTaskGroup(of: (Int, Outcome).self) { group in
            for n in 1...40 {
                group.addTask {
                    // 13: an unknown household; 27: P1 has no duty in G3 (H7); 31 and 32: one id twice.
                    let new = n == 13 ? visit(n, household: "H404") : n == 27 ? visit(n, household: "H7") : visit(n == 32 ? 31 : n)
                    do {
                        let result = try await database.logVisit(new, now: testNow)
                        return (n, .stored(result.visit.id, new: result.isNew))
                    } catch {
                        return (n, .refused("\(error)"))
                    }
                }
            }
            return await group.reduce(into: [Int: Outcome]()) { $0[$1.0] = $1.1 }
        }
        try await busy.value
        await releaser.value
        #expect(database.visitWrites.largestGroup == 40)
        #expect(outcomes[13] == .refused("\(GridbookError.notFound("household H404"))"))
        #expect(outcomes[27] == .refused("\(GridbookError.notAllowed("P1 holds no duty covering household H7 on 2026-06-30"))"))
        let twice = [outcomes[31], outcomes[32]]
        #expect(twice.contains(.stored(visit(31).id!, new: true)) && twice.contains(.stored(visit(31).id!, new: false)))
        let after = try await tableCounts(database)
        // 40 sent, two refused, one a resend.
        #expect(after["visits"] == before["visits"]! + 37)
        #expect(try await database.auditEntries(actor: "system").filter { $0.action == "visit.log" }.count == 37)
    }
}
