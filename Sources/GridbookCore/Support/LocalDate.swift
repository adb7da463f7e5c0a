import GRDB

/// A calendar date with no time of day, in the deployment's time zone (SPEC section 3).
///
/// Stored as the number of days since 1970-01-01 so that adding days and comparing are
/// integer operations; written as `YYYY-MM-DD` in files, the database and JSON.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public var dayNumber: Int

    /// The last date written with four digits, 9999-12-31.
    public static let latest = LocalDate(dayNumber: 2_932_896)

    /// Creates a date from its day number (days since 1970-01-01).
    public init(dayNumber: Int) {
        self.dayNumber = dayNumber
    }

    /// Creates a date from a year, month and day, or nil when the day does not exist (2026-02-30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= LocalDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.dayNumber = LocalDate.days(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD` strictly: four-digit year, two-digit month and day, a real calendar day.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 10, let date = utf8.withUnsafeBufferPointer({ LocalDate(bytes: $0) }) else { return nil }
        self = date
    }

    /// Parses `YYYY-MM-DD` from the first ten bytes of a UTF-8 buffer.
    init?(bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count >= 10, bytes.baseAddress != nil, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = LocalDate.digits(bytes, 0, 4),
              let month = LocalDate.digits(bytes, 5, 2),
              let day = LocalDate.digits(bytes, 8, 2)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The year, month and day of this date.
    public var components: (year: Int, month: Int, day: Int) {
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        String(unsafeUninitializedCapacity: 10) { buffer in write(to: buffer) }
    }

    /// Calls `body` with `YYYY-MM-DD` as UTF-8 bytes (on the stack: nothing is allocated).
    func withText<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { buffer in
            let count = write(to: buffer)
            return try body(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Writes `YYYY-MM-DD` into the first ten bytes of `buffer`; answers 10.
    private func write(to buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let (year, month, day) = components
        let zero = UInt8(ascii: "0"), dash = UInt8(ascii: "-")
        buffer[0] = zero + UInt8(year / 1000 % 10)
        buffer[1] = zero + UInt8(year / 100 % 10)
        buffer[2] = zero + UInt8(year / 10 % 10)
        buffer[3] = zero + UInt8(year % 10)
        buffer[4] = dash
        buffer[5] = zero + UInt8(month / 10)
        buffer[6] = zero + UInt8(month % 10)
        buffer[7] = dash
        buffer[8] = zero + UInt8(day / 10)
        buffer[9] = zero + UInt8(day % 10)
        return 10
    }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> LocalDate {
        LocalDate(dayNumber: dayNumber + days)
    }

    /// Whole days from `other` to this date.
    public func days(since other: LocalDate) -> Int {
        dayNumber - other.dayNumber
    }

    /// Earlier dates come first.
    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        lhs.dayNumber < rhs.dayNumber
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for index in start..<(start + count) {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

extension LocalDate: DatabaseValueConvertible {
    /// Stored as `YYYY-MM-DD` text.
    public var databaseValue: DatabaseValue { description.databaseValue }

    /// Reads `YYYY-MM-DD` text; nil for anything else.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> LocalDate? {
        String.fromDatabaseValue(dbValue).flatMap { LocalDate($0) }
    }
}

extension LocalDate: Codable {
    /// Decodes `YYYY-MM-DD`, refusing anything else.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a date (YYYY-MM-DD): \(text)")
        }
        self = date
    }

    /// Encodes `YYYY-MM-DD`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
