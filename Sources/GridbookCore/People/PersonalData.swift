/// Checks and masks personal data: phone numbers and resident identity card numbers.
public enum PersonalData {
    /// Why a phone number is refused, or nil when it looks like one: 5 to 20 digits, with
    /// optional `+`, spaces and dashes.
    public static func phoneProblem(_ phone: String) -> String? {
        var digits = 0
        for scalar in phone.unicodeScalars {
            switch scalar {
            case "0"..."9": digits += 1
            case "+", "-", " ": continue
            default: return "not a phone number (digits, +, - and spaces only)"
            }
        }
        return (5...20).contains(digits) ? nil : "not a phone number (5 to 20 digits)"
    }

    /// Why an identity card number is refused, or nil when it is valid: 18 characters (17 digits
    /// and a check character, 0-9 or X, that matches GB 11643) or the old 15 digits.
    public static func idNumberProblem(_ number: String) -> String? {
        let characters = Array(number.uppercased().utf8)
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        if characters.count == 15 {
            return characters.allSatisfy(isDigit) ? nil : "not an ID number (15 digits)"
        }
        guard characters.count == 18, characters.prefix(17).allSatisfy(isDigit),
              isDigit(characters[17]) || characters[17] == UInt8(ascii: "X")
        else { return "not an ID number (18 characters: 17 digits and a check digit or X)" }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(characters.prefix(17), weights).reduce(0) { $0 + Int($1.0 - UInt8(ascii: "0")) * $1.1 }
        let expected = Array("10X98765432".utf8)[sum % 11]
        return characters[17] == expected ? nil : "the ID number's check digit is wrong"
    }

    /// A phone number with its middle hidden: 138****1234 (at least half hidden for short numbers).
    public static func maskPhone(_ phone: String) -> String {
        let characters = Array(phone)
        // Mobile numbers (11 digits and longer) show 3 + 4; shorter ones keep at most a quarter at each end.
        let (head, tail) = characters.count >= 11 ? (3, 4) : (characters.count / 4, characters.count / 4)
        return String(characters.prefix(head)) + String(repeating: "*", count: characters.count - head - tail) + String(characters.suffix(tail))
    }

    /// An email address showing only its first character and its domain: z***@example.com.
    public static func maskEmail(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@"), at > email.startIndex else { return String(repeating: "*", count: email.count) }
        return String(email[email.startIndex]) + "***" + String(email[at...])
    }

    /// An identity card number showing only its first 6 and last 4 characters.
    public static func maskIDNumber(_ number: String) -> String {
        let characters = Array(number)
        guard characters.count > 10 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(6)) + String(repeating: "*", count: characters.count - 10) + String(characters.suffix(4))
    }
}
