import Foundation

/// An instant written in ISO 8601 with a UTC offset, as visits carry it (`2026-03-02T09:15:00+08:00`).
///
/// Keeps the text as given (it is what the user wrote) and the instant as seconds since 1970 (UTC).
public struct Timestamp: Hashable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let epochSeconds: Int
    /// The text as it was given.
    public let text: String

    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|±HH:MM|±HHMM)`; the offset is required.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard let seconds = utf8.withUnsafeBufferPointer({ Timestamp.parse($0) }) else { return nil }
        self.epochSeconds = seconds
        self.text = text
    }

    /// Creates a timestamp for an instant, written in UTC.
    public init(epochSeconds: Int) {
        self.epochSeconds = epochSeconds
        let date = LocalDate(dayNumber: epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400)
        let secondOfDay = epochSeconds - date.dayNumber * 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        self.text = "\(date)T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }

    public var description: String { text }

    /// Parses the bytes of an ISO 8601 timestamp with offset into seconds since 1970 (UTC).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= 17, let date = LocalDate(bytes: bytes),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              let hour = LocalDate.digits(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"),
              let minute = LocalDate.digits(bytes, 14, 2),
              hour < 24, minute < 60
        else { return nil }
        var index = 16
        var second = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            guard index + 3 <= bytes.count, let value = LocalDate.digits(bytes, index + 1, 2), value < 60 else { return nil }
            second = value
            index += 3
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                index += 1
                let start = index
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
                guard index > start else { return nil }
            }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard index + 2 <= bytes.count, let offsetHours = LocalDate.digits(bytes, index, 2) else { return nil }
            index += 2
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") { index += 1 }
            guard index + 2 <= bytes.count, let offsetMinutes = LocalDate.digits(bytes, index, 2),
                  offsetHours <= 14, offsetMinutes < 60
            else { return nil }
            index += 2
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        return date.dayNumber * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
    }
}

/// Turns instants into local dates in the deployment's time zone (SPEC section 3).
///
/// The zone's offset is looked up once for each stretch of time it holds (from a quarter hour
/// of UTC time to the zone's next transition) and remembered, so that converting millions of
/// visit times during an import stays cheap: for China's zone, one stretch holds every time
/// since 1991.
public struct LocalCalendar: Sendable {
    /// The deployment's time zone.
    public let timeZone: TimeZone
    /// Stretches of time with one offset: seconds since 1970 from `start` up to `end`.
    private var stretches: [(start: Int, end: Int, offset: Int)] = []

    /// Creates a calendar for a time zone.
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The local date on which an instant falls.
    public mutating func localDate(of timestamp: Timestamp) -> LocalDate {
        localDate(epochSeconds: timestamp.epochSeconds)
    }

    /// The local date on which an instant (seconds since 1970, UTC) falls.
    public mutating func localDate(epochSeconds: Int) -> LocalDate {
        let offset = offset(at: epochSeconds)
        let local = epochSeconds + offset
        return LocalDate(dayNumber: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    /// The zone's offset from UTC at an instant, as it was at the start of its quarter hour (zones
    /// change their offsets on quarter hours).
    private mutating func offset(at epochSeconds: Int) -> Int {
        for stretch in stretches where stretch.start <= epochSeconds && epochSeconds < stretch.end {
            return stretch.offset
        }
        let start = epochSeconds >= 0 ? epochSeconds / 900 * 900 : (epochSeconds - 899) / 900 * 900
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(start)))
        // The offset holds until the zone's next transition (of any kind: daylight saving time or
        // a change of its standard offset), or for ever when it has none.
        var end = Int.max
        if let next = timeZone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: TimeInterval(start))) {
            end = max(start + 900, Int(next.timeIntervalSince1970.rounded(.down)))
        }
        // Times read in no order reach further back now and then: a stretch that ends where this
        // one does grows back to its start instead of being kept twice.
        if let same = stretches.firstIndex(where: { $0.end == end && $0.offset == offset && $0.start > start }) {
            stretches[same].start = start
        } else {
            if stretches.count >= 64 { stretches.removeAll(keepingCapacity: true) }
            stretches.append((start, end, offset))
        }
        return offset
    }

    /// An instant as people read it where they are: `2026-12-07 09:03` in the deployment's zone.
    public mutating func localTime(_ timestamp: Timestamp) -> String {
        let date = localDate(of: timestamp)
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(timestamp.epochSeconds)))
        let seconds = ((timestamp.epochSeconds + offset) % 86_400 + 86_400) % 86_400
        return "\(date) " + String(format: "%02d:%02d", seconds / 3600, seconds % 3600 / 60)
    }

    /// An instant in W3C date-time form with the deployment's offset: `2026-12-01T08:00:00+08:00`
    /// (Open311's datetimes).
    public func w3c(epochSeconds: Int) -> String {
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(epochSeconds)))
        let local = epochSeconds + offset
        let date = LocalDate(dayNumber: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        let second = local - date.dayNumber * 86_400
        let zone = offset == 0 ? "Z" : (offset < 0 ? "-" : "+") + String(format: "%02d:%02d", abs(offset) / 3600, abs(offset) % 3600 / 60)
        return "\(date)T" + String(format: "%02d:%02d:%02d", second / 3600, second / 60 % 60, second % 60) + zone
    }

    /// The instant a local date begins (its midnight where the deployment is), in seconds since 1970.
    public func startOfDay(_ date: LocalDate) -> Int {
        let guess = date.dayNumber * 86_400
        return guess - timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(guess)))
    }

    /// Today's local date.
    public mutating func today(now: Date) -> LocalDate {
        localDate(epochSeconds: Int(now.timeIntervalSince1970.rounded(.down)))
    }
}
