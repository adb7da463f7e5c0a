import Foundation

/// The one JSON encoding Gridbook writes, so that `--format json` and the API answer alike.
public enum JSONOutput {
    /// Encodes a value as pretty-printed JSON with sorted keys.
    public static func encode(_ value: some Encodable) throws -> Data {
        try makeEncoder().encode(value)
    }

    /// The one JSON encoder of the API and the command line: pretty-printed, keys sorted.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
