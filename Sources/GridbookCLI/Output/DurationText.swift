/// Durations as the command line prints them.
enum DurationText {
    /// Seconds as whole minutes, rounded up (`80 min`; a response within the minute is `1 min`,
    /// none at all `0 min`), or `–` when there is none yet.
    static func minutes(_ seconds: Int?) -> String {
        seconds.map { "\(($0 + 59) / 60) min" } ?? "–"
    }
}
