/// What spreadsheets (Excel, WPS) do to the values township staff type, undone where the meaning
/// is certain and explained where it is not. Used by the seed importer only: the API takes the
/// strict forms.
enum SpreadsheetHabits {
    /// A date as spreadsheets show or save it: `2026-05-04`, `2026-5-4`, `2026/5/4`,
    /// `2026.5.4`, `2026年5月4日`, with a time of day after it ignored (`2026/5/4 0:00`, or a
    /// workbook's `2026-05-04T00:00:00`); nil when it is none of these or not a real day, or when
    /// what follows the date is not a time of day (`2026/5/4 至 2026/6/1`, `2026年5月4日 星期一`).
    static func date(_ text: String) -> LocalDate? {
        if let date = LocalDate(text) { return date }
        var date = Substring(text)
        // A time after the date: a workbook cell formatted as date and time, or Excel's CSV.
        if let cut = date.firstIndex(where: { $0 == " " || $0 == "T" }) {
            guard isTimeOfDay(date[date.index(after: cut)...]) else { return nil }
            date = date[..<cut]
        }
        let parts: [Substring]
        if date.hasSuffix("日"), date.contains("年"), date.contains("月") {
            parts = date.dropLast().split(omittingEmptySubsequences: false) { $0 == "年" || $0 == "月" }
        } else if let separator = date.first(where: { $0 == "-" || $0 == "/" || $0 == "." }) {
            parts = date.split(separator: separator, omittingEmptySubsequences: false)
        } else {
            return nil
        }
        guard parts.count == 3, parts[0].count == 4, parts[1].count <= 2, parts[2].count <= 2,
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        return LocalDate(year: year, month: month, day: day)
    }

    /// Whether `text` is the text of a spreadsheet error value: Excel's and WPS's (`#N/A`,
    /// `#VALUE!`, …) or LibreOffice's numbered ones (`Err:502`), as they write an error cell into
    /// CSV and Unicode text.
    static func isSpreadsheetError(_ text: String) -> Bool {
        if spreadsheetErrors.contains(text.uppercased()) { return true }
        guard text.hasPrefix("Err:"), case let number = text.dropFirst(4) else { return false }
        return number.count == 3 && number.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Excel's error values (WPS writes the same).
    private static let spreadsheetErrors: Set<String> = [
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
        "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!",
    ]

    /// A date column's cell that a spreadsheet kept as its date serial (a column formatted General,
    /// or values pasted over it): `45416` is 2024-05-04, `45416.5` noon that day (the time is
    /// dropped, as after a date). Only serials of the years 2000 to 2099 are taken (a mistyped
    /// `20265` is no date of 1955): a date column holds nothing else of that shape. In the 1904
    /// system when the workbook says so.
    static func serialDate(_ text: String, date1904: Bool) -> LocalDate? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts[0].count == 5, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let serial = Double(text), let date = XLSXSheet.dateText(serial: serial.rounded(.down), date1904: date1904),
              let day = LocalDate(date), (2000...2099).contains(day.components.year)
        else { return nil }
        return day
    }

    /// A time of day as spreadsheets and other programs write it after a date: `0:00`, `09:15`,
    /// `23:59:59`, `00:00:00.000`, with ` AM`/` PM` on a 12-hour clock, or with an offset
    /// (`00:00:00Z`, `00:00:00+08:00`).
    static func isTimeOfDay(_ text: Substring) -> Bool {
        var time = text
        if time.hasSuffix("Z") {
            time = time.dropLast()
        } else if time.count > 6, case let offset = time.suffix(6), offset.first == "+" || offset.first == "-",
                  offset.dropFirst().split(separator: ":", omittingEmptySubsequences: false).map(\.count) == [2, 2],
                  offset.dropFirst().allSatisfy({ $0 == ":" || ($0.isASCII && $0.isNumber) }) {
            time = time.dropLast(6)
        }
        var twelveHour = false
        for suffix in [" AM", " PM", " am", " pm"] where time.hasSuffix(suffix) {
            time = time.dropLast(suffix.count)
            twelveHour = true
        }
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return false }
        var seconds = parts.count == 3 ? parts[2] : "00"
        if let dot = seconds.firstIndex(of: ".") {
            let fraction = seconds[seconds.index(after: dot)...]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            seconds = seconds[..<dot]
        }
        func number(_ part: Substring, digits: ClosedRange<Int>, max: Int) -> Bool {
            digits.contains(part.count) && part.allSatisfy { $0.isASCII && $0.isNumber } && (Int(part) ?? Int.max) <= max
        }
        return number(parts[0], digits: 1...2, max: twelveHour ? 12 : 23) && number(parts[1], digits: 2...2, max: 59)
            && number(seconds, digits: 2...2, max: 59)
    }

    /// Why a phone or ID number is refused before its own rule is applied: Excel turned it into
    /// a number in scientific notation (`1.39056E+10`, `1.10105E+17`), and its digits are gone.
    static func scientificNotationProblem(_ text: String) -> String? {
        // Most values have no E at all: they are passed without making an upper-case copy.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }) else { return nil }
        let upper = text.uppercased()
        guard let e = upper.firstIndex(of: "E"), upper[..<e].contains("."),
              upper[..<e].allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              case let exponent = upper[upper.index(after: e)...], exponent.first == "+",
              exponent.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), exponent.count > 1
        else { return nil }
        return "\(text) was stored as a number by the spreadsheet, which lost its digits: format the column as text in the spreadsheet and type the numbers again"
    }

    /// Why a code that refers to a record (a grid, block, unit, parent, household or person) is
    /// not found: a spreadsheet stored it as a number and lost its digits (`1.50599E+14`), else
    /// `unknown KIND CODE`.
    static func unknownReference(_ kind: String, _ code: String) -> String {
        scientificNotationProblem(code) ?? "unknown \(kind) \(code)"
    }

    /// Full-width digits, letters and signs (`１３９…`, `Ｘ`, `－`) as their ASCII forms, where the
    /// meaning is certain: phone and ID numbers.
    /// `digitsOnly`: only full-width digits (０-９), the rest of the text as it is (free text a
    /// person wrote, where only the numbers in it matter).
    static func halfWidth(_ text: String, digitsOnly: Bool = false) -> String {
        func converted(_ scalar: Unicode.Scalar) -> Bool {
            digitsOnly ? (0xFF10...0xFF19).contains(scalar.value) : isFullWidth(scalar)
        }
        guard text.unicodeScalars.contains(where: converted) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if converted(scalar), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) {
                scalars.append(ascii)
            } else if scalar == "\u{3000}" && !digitsOnly {
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Whether a scalar is a full-width form of a printable ASCII character (U+FF01…U+FF5E).
    static func isFullWidth(_ scalar: Unicode.Scalar) -> Bool {
        (0xFF01...0xFF5E).contains(scalar.value)
    }

    /// Why a code is refused for full-width characters (`１５０５`, `Ａ１`): codes are typed in
    /// half-width (半角) characters, and a full-width one would be a second, different code.
    static func fullWidthCodeProblem(_ text: String) -> String? {
        guard text.utf8.contains(where: { $0 >= 0x80 }), text.unicodeScalars.contains(where: isFullWidth) else { return nil }
        return "holds full-width characters (such as ０-９ or Ａ-Ｚ): type codes in half-width (半角) characters"
    }

    /// A phone number as typed into a spreadsheet, made plain: full-width digits and signs as
    /// ASCII. The scientific-notation refusal comes first (see ``scientificNotationProblem(_:)``).
    static func phone(_ text: String) -> String { halfWidth(text) }

    /// An ID number made plain: full-width digits and `Ｘ` as ASCII, a lower-case `x` upper case.
    static func idNumber(_ text: String) -> String { halfWidth(text).uppercased() }
}
