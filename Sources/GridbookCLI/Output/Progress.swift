import Foundation
import Synchronization

/// Draws the progress of long work on one line of standard error, only when it is a terminal.
final class ProgressLine: Sendable {
    private let enabled: Bool
    private let lastDraw = Mutex<(time: Double, label: String)>((0, ""))

    init(enabled: Bool = Console.stderrIsTerminal) {
        self.enabled = enabled
    }

    /// Shows `label` at `fraction` (0 to 1), at most ten times a second.
    func update(_ label: String, _ fraction: Double) {
        guard enabled else { return }
        let now = Date().timeIntervalSince1970
        let draw = lastDraw.withLock { last in
            guard fraction >= 1 || label != last.label || now - last.time >= 0.1 else { return false }
            last = (now, label)
            return true
        }
        guard draw else { return }
        let percent = Int((min(1, max(0, fraction)) * 100).rounded(.down))
        let filled = percent / 5
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 20 - filled)
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(label)  \(bar) \(percent)%".utf8))
    }

    /// Clears the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
