import Foundation

/// The one JSON encoding Gridbook writes, so that `--format json` and the API answer alike.
public enum JSONOutput {
    /// Encodes a value as pretty-printed JSON with sorted keys.
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
