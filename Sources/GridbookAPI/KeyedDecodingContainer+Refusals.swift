import Foundation

/// How a request body's field is refused when its value is not one the field takes: the
/// synthesized `init(from:)` of every body type in this module calls these overloads, more
/// specific than the standard library's, so that the 400 names the value and what was expected
/// (`action: Respond is not one of respond|dispatch|…`, `deadline_working_days: 1.5 is not a
/// whole number`) instead of a decoder's own words.
extension KeyedDecodingContainer {
    /// A choice (a `String` enum): refused naming the allowed values.
    func decode<Choice: RawRepresentable & CaseIterable & Decodable>(_ type: Choice.Type, forKey key: Key) throws -> Choice
        where Choice.RawValue == String {
        try choice(Choice.self, from: decode(String.self, forKey: key), forKey: key)
    }

    /// An optional choice: absent or null is nil; otherwise as ``decode(_:forKey:)``.
    func decodeIfPresent<Choice: RawRepresentable & CaseIterable & Decodable>(_ type: Choice.Type, forKey key: Key) throws -> Choice?
        where Choice.RawValue == String {
        try decodeIfPresent(String.self, forKey: key).map { try choice(Choice.self, from: $0, forKey: key) }
    }

    /// A whole number: a fraction or a number past `Int`'s range is refused at its field (the
    /// JSON decoder would call the whole body invalid JSON, naming no field).
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try decode(WholeNumber.self, forKey: key).value
    }

    /// An optional whole number: absent or null is nil; otherwise as ``decode(_:forKey:)``.
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try decodeIfPresent(WholeNumber.self, forKey: key)?.value
    }

    private func choice<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type, from text: String, forKey key: Key) throws -> Choice
        where Choice.RawValue == String {
        guard let choice = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: "|")
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\(text) is not one of \(allowed)")
        }
        return choice
    }
}

/// An `Int` read from a JSON number, refused at its own field when it is not whole or too large.
private struct WholeNumber: Decodable {
    var value: Int

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            value = try container.decode(Int.self)
        } catch let error as DecodingError {
            throw error
        } catch {
            // Foundation's own error for a number that is not an Int: read it again as a Double
            // to say which (anything else, such as text, is a DecodingError and rethrown above).
            let number = try container.decode(Double.self)
            let problem = number.rounded() == number ? "is out of range" : "is not a whole number"
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(number) \(problem)")
        }
    }
}
