import Foundation
import Synchronization

/// Draws the progress of long work on one line of standard error, only when it is a terminal.
final class ProgressLine: Sendable {
    private let enabled: Bool
    /// The step shown, when it began (for its rate and the time left) and when it was last drawn.
    private let shown = Mutex<(label: String, started: Double, drawn: Double)>(("", 0, 0))

    init(enabled: Bool = Console.stderrIsTerminal) {
        self.enabled = enabled
    }

    /// Shows `label` at `fraction` (0 to 1), at most ten times a second; with `rows`, the rows
    /// read a second, and once a step is under way, an estimate of the time it has left.
    func update(_ label: String, _ fraction: Double, rows: Int? = nil) {
        guard enabled else { return }
        let now = Date().timeIntervalSince1970
        let (draw, started) = shown.withLock { step -> (Bool, Double) in
            if step.label != label {
                step = (label, now, now)
                return (true, now)
            }
            guard fraction >= 1 || now - step.drawn >= 0.1 else { return (false, step.started) }
            step.drawn = now
            return (true, step.started)
        }
        guard draw else { return }
        let percent = Int((min(1, max(0, fraction)) * 100).rounded(.down))
        let filled = percent / 5
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 20 - filled)
        var line = "\(label)  \(bar) \(percent)%"
        let elapsed = now - started
        if let rows, elapsed > 0.5 { line += "  \(Int(Double(rows) / elapsed)) rows/s" }
        if fraction > 0.02, fraction < 1, elapsed > 1 {
            let left = Int((elapsed * (1 - fraction) / fraction).rounded())
            line += left >= 60 ? "  about \(left / 60) min \(left % 60) s left" : "  about \(left) s left"
        }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
    }

    /// Clears the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
