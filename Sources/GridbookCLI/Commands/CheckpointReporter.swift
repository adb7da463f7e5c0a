import GridbookCore
import Logging

/// What the server's checkpoint task says about each of its turns, and how loudly.
///
/// A turn that finds the database busy (SQLite answers a passive checkpoint `SQLITE_BUSY` while
/// another connection holds the lock it needs for an instant) or that cannot make the WAL start
/// over (a report reading an older snapshot, or writes that leave no pause for 50 ms) is normal
/// now and then: the next turn, half a second later, tries again. Said at debug level, with a
/// notice only once it has gone on for ``patience`` (and then at most once per ``patience``): an
/// operator reading the log at info level sees a line only when the WAL is really not being
/// copied back.
struct CheckpointReporter {
    /// How long a turn may keep failing in the same way before a notice says so.
    static let patience: Duration = .seconds(10)

    /// One line for the log.
    struct Line: Equatable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    /// When the turns began to find the database busy (nil while they do not).
    private var busySince: Duration?
    /// No notice of the same kind is said before this time.
    private var quietUntil: Duration = .zero

    /// The lines to log for a turn that ended at `elapsed` (the time since the task began).
    mutating func lines(for outcome: Result<AppDatabase.Checkpoint, any Error>, at elapsed: Duration) -> [Line] {
        switch outcome {
        case .success(let checkpoint):
            busySince = nil
            var lines = [Line(level: .debug, message: "WAL checkpoint", metadata: [
                "frames": "\(checkpoint.frames)", "copied": "\(checkpoint.copied)", "restarted": "\(checkpoint.restarted)",
            ])]
            if checkpoint.frames >= 4 * AppDatabase.restartFrames, !checkpoint.restarted, elapsed >= quietUntil {
                quietUntil = elapsed + Self.patience
                lines.append(Line(level: .notice, message: "the WAL could not start over: a reader of an older snapshot (a backup?) or writes without a pause held it past the checkpoint's 50 ms",
                                  metadata: ["frames": "\(checkpoint.frames)", "copied": "\(checkpoint.copied)"]))
            }
            return lines
        case .failure(let error) where StorageTrouble(error) == .busy:
            let since = busySince ?? elapsed
            busySince = since
            guard elapsed - since >= Self.patience, elapsed >= quietUntil else {
                return [Line(level: .debug, message: "WAL checkpoint: the database was busy; the next turn tries again", metadata: [:])]
            }
            quietUntil = elapsed + Self.patience
            return [Line(level: .notice, message: "the WAL has not been copied back for a while: the database stays busy",
                         metadata: ["seconds": "\((elapsed - since).components.seconds)", "error": "\(error)"])]
        case .failure(let error):
            busySince = nil
            return [Line(level: .warning, message: "WAL checkpoint failed", metadata: ["error": "\(error)"])]
        }
    }
}
