/// The rule for codes and ids (units, people, households, categories): keys that users type,
/// that lists and URLs carry, and that must read the same on every screen.
public enum RecordCode {
    /// The longest code or id, in characters.
    public static let maximumLength = 64

    /// What is wrong with `value` as a code or id, or nil when it is a good one: empty, holding a
    /// control character (a tab, a line break, …) or an invisible one (a zero-width space), with
    /// spaces at either end, or too long.
    public static func problem(_ value: String) -> String? {
        if value.isEmpty { return "is empty" }
        // Printable ASCII but the space, as nearly every code is: nothing to look at further.
        if value.utf8.count <= maximumLength, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return nil }
        if let scalar = value.unicodeScalars.first(where: isControl) {
            return "holds a control character (U+\(hex(scalar))); codes and ids are printable text"
        }
        // A zero-width space or joiner, a direction mark: a code that looks like another and is not.
        if let scalar = value.unicodeScalars.first(where: isInvisible) {
            return "holds an invisible character (U+\(hex(scalar))); codes and ids are printable text"
        }
        if let first = value.unicodeScalars.first, let last = value.unicodeScalars.last, isSpace(first) || isSpace(last) {
            return "has a space at its start or end"
        }
        let length = value.count
        if length > maximumLength { return "is \(length) characters long; codes and ids have at most \(maximumLength)" }
        return nil
    }

    /// Throws ``GridbookError/invalid(field:problem:)`` naming `field` when `value` is not a good code or id.
    public static func check(_ value: String, field: String) throws {
        if let problem = problem(value) { throw GridbookError.invalid(field: field, problem: problem) }
    }

    /// The value in quotes, its control and invisible characters written as `\u{0009}`, for messages that
    /// must stay on one line of a terminal.
    public static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case _ where isControl(scalar) || isInvisible(scalar):
                text += "\\u{" + hex(scalar) + "}"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    /// A format character (Unicode's Cf: zero-width spaces and joiners, direction marks), but
    /// the byte-order mark, which is taken for a space.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .format && scalar != "\u{FEFF}"
    }

    /// A scalar's number as four (or more) upper-case hexadecimal digits.
    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar == "\u{FEFF}"
    }
}
