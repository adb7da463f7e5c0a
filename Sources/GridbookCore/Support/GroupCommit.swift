import GRDB
import Synchronization

/// Writes that arrive together are committed together: one SQLite transaction for every write
/// waiting when the writer comes free, each write in a savepoint of its own (group commit).
///
/// Each write is still all or nothing: one that throws rolls back its savepoint alone and
/// answers its own error; the others go on. None is answered before the commit that holds it,
/// so an acknowledged write is durable; when the commit itself fails, every write in it answers
/// that error (a client's retry of a visit is safe: visits are idempotent by id).
///
/// For the writes that field clients send all day (visits): per write, a commit costs more than
/// the write, and pages that every visit touches (the last page of each table and index) are
/// written to the WAL once per group instead of once per visit.
final class GroupCommit: Sendable {
    /// One waiting write: `run` does it inside its savepoint and keeps its value; `answer` is
    /// called once its group is committed (nil) or has failed.
    private struct Job: Sendable {
        let run: @Sendable (Database) throws -> Void
        let answer: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var waiting: [Job] = []
        /// Whether a group is being written; new writes wait for the next one.
        var writing = false
        /// The most writes one transaction has held so far.
        var largestGroup = 0
    }

    /// Writes in one transaction at most.
    static let maximumGroup = 256

    private let state = Mutex(State())

    /// The most writes one transaction has held so far (tests check that writes were grouped).
    var largestGroup: Int { state.withLock { $0.largestGroup } }

    /// Writes waiting for the next group (tests wait for them to line up).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// The value of a write once the commit that holds it is done.
    private final class Slot<T: Sendable>: Sendable {
        let value = Mutex<T?>(nil)
    }

    /// Runs `block` in the next group's transaction on `writer`'s queue and answers its value
    /// once that transaction is committed; throws its error (nothing of it is written) or the
    /// commit's.
    func write<T: Sendable>(on writer: any DatabaseWriter, _ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let slot = Slot<T>()
        return try await withCheckedThrowingContinuation { continuation in
            let job = Job(
                run: { db in
                    let value = try block(db)
                    slot.value.withLock { $0 = value }
                },
                answer: { error in
                    if let error { return continuation.resume(throwing: error) }
                    guard let value = slot.value.withLock({ $0 }) else {
                        return continuation.resume(throwing: DatabaseError(resultCode: .SQLITE_MISUSE, message: "a write committed without a value"))
                    }
                    continuation.resume(returning: value)
                }
            )
            let startWriting = state.withLock { state in
                state.waiting.append(job)
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startWriting { writeNextGroup(on: writer) }
        }
    }

    /// Writes the waiting writes as one group, then the next group, each in a turn of its own on
    /// the writer's queue (other writes, queued meanwhile, go between two groups).
    private func writeNextGroup(on writer: any DatabaseWriter) {
        writer.asyncWriteWithoutTransaction { db in
            let jobs = self.state.withLock { state -> [Job] in
                let jobs = Array(state.waiting.prefix(Self.maximumGroup))
                state.waiting.removeFirst(jobs.count)
                state.largestGroup = max(state.largestGroup, jobs.count)
                return jobs
            }
            self.writeGroup(jobs, db)
            let more = self.state.withLock { state in
                if state.waiting.isEmpty { state.writing = false }
                return state.writing
            }
            if more { self.writeNextGroup(on: writer) }
        }
    }

    private func writeGroup(_ jobs: [Job], _ db: Database) {
        guard !jobs.isEmpty else { return }
        var failures: [(any Error)?] = Array(repeating: nil, count: jobs.count)
        do {
            try db.inTransaction(.immediate) {
                for (index, job) in jobs.enumerated() {
                    do {
                        try db.inSavepoint {
                            try job.run(db)
                            return .commit
                        }
                    } catch {
                        // SQLite rolls the whole transaction back on some errors (a full disk):
                        // then the writes before this one are gone too, and nothing may run
                        // outside a transaction.
                        guard db.isInsideTransaction else { throw error }
                        failures[index] = error
                    }
                }
                return .commit
            }
        } catch {
            for job in jobs { job.answer(error) }
            return
        }
        for (job, failure) in zip(jobs, failures) { job.answer(failure) }
    }
}
