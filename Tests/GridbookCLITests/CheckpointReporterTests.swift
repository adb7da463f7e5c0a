import GRDB
import Logging
import Testing
@testable import GridbookCLI
@testable import GridbookCore

@Suite("What the checkpoint task logs")
struct CheckpointReporterTests {
    let busy = DatabaseError(resultCode: .SQLITE_BUSY, message: "database is locked")

    func levels(_ lines: [CheckpointReporter.Line]) -> [Logger.Level] { lines.map(\.level) }

    @Test("a busy turn now and then is said at debug level; a notice once it has gone on for 10 s, then once per 10 s")
    func busyTurns() {
        var reporter = CheckpointReporter()
        #expect(levels(reporter.lines(for: .failure(busy), at: .seconds(1))) == [.debug])
        #expect(levels(reporter.lines(for: .failure(busy), at: .milliseconds(10_999))) == [.debug])
        let notice = reporter.lines(for: .failure(busy), at: .seconds(11))
        #expect(notice == [CheckpointReporter.Line(
            level: .notice, message: "the WAL has not been copied back for a while: the database stays busy",
            metadata: ["seconds": "10", "error": "SQLite error 5: database is locked"])])
        #expect(levels(reporter.lines(for: .failure(busy), at: .milliseconds(20_999))) == [.debug])
        #expect(levels(reporter.lines(for: .failure(busy), at: .seconds(21))) == [.notice])
    }

    @Test("a turn that runs ends the busy spell: the next busy one starts counting again")
    func busySpellEnds() {
        var reporter = CheckpointReporter()
        _ = reporter.lines(for: .failure(busy), at: .seconds(0))
        #expect(levels(reporter.lines(for: .success(.init(frames: 10, copied: 10, restarted: false)), at: .seconds(9))) == [.debug])
        #expect(levels(reporter.lines(for: .failure(busy), at: .seconds(10))) == [.debug])
        #expect(levels(reporter.lines(for: .failure(busy), at: .seconds(19))) == [.debug])
        #expect(levels(reporter.lines(for: .failure(busy), at: .seconds(20))) == [.notice])
    }

    @Test("a WAL four times the restart size that could not start over is a notice, once per 10 s")
    func walHeld() {
        var reporter = CheckpointReporter()
        let held = AppDatabase.Checkpoint(frames: 4 * AppDatabase.restartFrames, copied: 100, restarted: false)
        let first = reporter.lines(for: .success(held), at: .seconds(3))
        #expect(levels(first) == [.debug, .notice])
        #expect(first.last?.metadata == ["frames": "16384", "copied": "100"])
        #expect(first.last?.message == "the WAL could not start over: a reader of an older snapshot (a backup?) "
                + "or writes without a pause held it past the checkpoint's 50 ms")
        #expect(levels(reporter.lines(for: .success(held), at: .seconds(12))) == [.debug])
        #expect(levels(reporter.lines(for: .success(held), at: .seconds(13))) == [.debug, .notice])
        let restarted = AppDatabase.Checkpoint(frames: 5 * AppDatabase.restartFrames, copied: 20480, restarted: true)
        #expect(levels(reporter.lines(for: .success(restarted), at: .seconds(30))) == [.debug])
        let short = AppDatabase.Checkpoint(frames: 4 * AppDatabase.restartFrames - 1, copied: 0, restarted: false)
        #expect(levels(reporter.lines(for: .success(short), at: .seconds(40))) == [.debug])
    }

    @Test("any other failure is a warning at once")
    func otherFailure() {
        var reporter = CheckpointReporter()
        let lines = reporter.lines(for: .failure(DatabaseError(resultCode: .SQLITE_IOERR, message: "disk I/O error")), at: .seconds(1))
        #expect(lines == [CheckpointReporter.Line(level: .warning, message: "WAL checkpoint failed",
                                                  metadata: ["error": "SQLite error 10: disk I/O error"])])
    }
}
