import Foundation

/// Gridbook's one JSON encoding, for the API and `--format json` alike: snake_case keys from
/// Swift's camelCase property names, every key of a record present (an absent optional is
/// `null`, never left out), keys sorted, pretty-printed as Foundation prints it.
///
/// Its own encoder rather than JSONEncoder: one coding strategy for every record, instead of a
/// `CodingKeys` enum and an `encode(to:)` per type to keep snake_case keys and nulls, and less
/// time per response (JSONEncoder was over a quarter of a due list's time in a profile).
public enum JSONOutput {
    /// Encodes a value as pretty-printed JSON with sorted keys.
    public static func encode(_ value: some Encodable) throws -> Data {
        Data(try bytes(value))
    }

    /// ``encode(_:)`` as UTF-8 bytes; `pretty: false` writes it on one line without spaces (the
    /// form stored in the change feed).
    public static func bytes(_ value: some Encodable, pretty: Bool = true) throws -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.write(try JSONTreeEncoder.node(of: value, path: []), depth: 0)
        return writer.bytes
    }

    /// A JSON decoder for request bodies, with the same keys: `household_code` fills
    /// `householdCode`.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// A property name as a JSON key: `householdCode` → `household_code`, `gridsWithoutPolice` →
    /// `grids_without_police`; a run of capitals is one word (`reportURL` → `report_url`).
    public static func snakeCase(_ key: String) -> String {
        let utf8 = key.utf8
        func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
        func isLowerOrDigit(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        // Every key of every response comes through here: bytes, not Characters.
        guard utf8.contains(where: isUpper) else { return key }
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return key }
        let bytes = Array(utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 4)
        for (index, byte) in bytes.enumerated() {
            if isUpper(byte), index > 0 {
                let previous = bytes[index - 1]
                let nextIsLower = index + 1 < bytes.count && bytes[index + 1] >= UInt8(ascii: "a") && bytes[index + 1] <= UInt8(ascii: "z")
                if isLowerOrDigit(previous) || (isUpper(previous) && nextIsLower) { result.append(UInt8(ascii: "_")) }
            }
            result.append(isUpper(byte) ? byte + 32 : byte)
        }
        return String(decoding: result, as: UTF8.self)
    }

}

/// A JSON value being built. Objects and arrays are classes so that containers can fill them
/// after handing them to their parent; a type that encodes itself twice into the same encoder
/// (a record with more fields beside it) fills the same object.
private enum Node {
    case null, bool(Bool), number(String), string(String), object(ObjectNode), array(ArrayNode)
}

private final class ObjectNode {
    var members: [String: Node] = [:]
}

private final class ArrayNode {
    var elements: [Node] = []
}

/// The `Encoder` that builds a ``Node`` of a value.
private final class JSONTreeEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var node: Node?

    init(path: [any CodingKey]) {
        codingPath = path
    }

    /// The JSON of `value`, with its containers' fast paths for the common leaf types.
    static func node<T: Encodable>(of value: T, path: [any CodingKey]) throws -> Node {
        switch value {
        case let text as String: return .string(text)
        case let number as Int: return .number(String(number))
        case let flag as Bool: return .bool(flag)
        case let date as LocalDate: return .string(date.description)
        case let dictionary as [String: any Encodable]:
            // A dictionary's keys are data (category codes, levels), not property names: written
            // as they are, as JSONEncoder does.
            let object = ObjectNode()
            for (key, element) in dictionary { object.members[key] = try node(of: element, path: path) }
            return .object(object)
        default:
            let encoder = JSONTreeEncoder(path: path)
            try value.encode(to: encoder)
            // A value that encodes nothing is an empty object, as JSONEncoder writes it.
            return encoder.node ?? .object(ObjectNode())
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: ObjectNode
        if case .object(let existing) = node { object = existing } else {
            object = ObjectNode()
            node = .object(object)
        }
        return KeyedEncodingContainer(KeyedContainer(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: ArrayNode
        if case .array(let existing) = node { array = existing } else {
            array = ArrayNode()
            node = .array(array)
        }
        return UnkeyedContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }
}

/// A number as JSON: its shortest form (a Float's own, not a Double's), integral values without
/// a fraction (`100`, as JSONEncoder writes them); NaN and infinities are refused, as JSON has
/// no word for them.
private func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, _ path: [any CodingKey]) throws -> Node {
    guard value.isFinite else {
        throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(value) is not a JSON number"))
    }
    let text = "\(value)"
    return .number(text.hasSuffix(".0") ? String(text.dropLast(2)) : text)
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: ObjectNode
    let codingPath: [any CodingKey]

    private func set(_ node: Node, _ key: Key) { object.members[JSONOutput.snakeCase(key.stringValue)] = node }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(try number(value, codingPath + [key]), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(try number(value, codingPath + [key]), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(try JSONTreeEncoder.node(of: value, path: codingPath + [key]), key)
    }

    // Every key is written: an absent optional is null (the protocol's default leaves it out).
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOrNull(value, key) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try encodeOrNull(value, key) }

    private mutating func encodeOrNull<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else { set(.null, key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested: ObjectNode
        if case .object(let existing) = object.members[JSONOutput.snakeCase(key.stringValue)] { nested = existing } else {
            nested = ObjectNode()
            set(.object(nested), key)
        }
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested: ArrayNode
        if case .array(let existing) = object.members[JSONOutput.snakeCase(key.stringValue)] { nested = existing } else {
            nested = ArrayNode()
            set(.array(nested), key)
        }
        return UnkeyedContainer(array: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        placedEncoder(key: "super", path: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        placedEncoder(key: JSONOutput.snakeCase(key.stringValue), path: codingPath + [key])
    }

    /// An encoder for the member `key`: an empty object until something is encoded into it.
    private func placedEncoder(key: String, path: [any CodingKey]) -> any Encoder {
        object.members[key] = .object(ObjectNode())
        return PlacedEncoder(codingPath: path) { [object] node in object.members[key] = node }
    }
}

/// An encoder whose value is put in place by `place` as it is encoded: a member of an object
/// (`superEncoder`) or an element of an array (`superEncoder` of an unkeyed container).
private final class PlacedEncoder: Encoder {
    private let inner: JSONTreeEncoder
    private let place: (Node) -> Void
    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(codingPath: [any CodingKey], place: @escaping (Node) -> Void) {
        inner = JSONTreeEncoder(path: codingPath)
        self.place = place
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        defer { inner.node.map(place) }
        return inner.container(keyedBy: type)
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        defer { inner.node.map(place) }
        return inner.unkeyedContainer()
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: inner, didSet: place)
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let array: ArrayNode
    let codingPath: [any CodingKey]
    var count: Int { array.elements.count }

    private var nextPath: [any CodingKey] { codingPath + [IndexKey(intValue: count)] }

    mutating func encodeNil() throws { array.elements.append(.null) }
    mutating func encode(_ value: Bool) throws { array.elements.append(.bool(value)) }
    mutating func encode(_ value: String) throws { array.elements.append(.string(value)) }
    mutating func encode(_ value: Double) throws { array.elements.append(try number(value, nextPath)) }
    mutating func encode(_ value: Float) throws { array.elements.append(try number(value, nextPath)) }
    mutating func encode(_ value: Int) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { array.elements.append(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { array.elements.append(.number(String(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        array.elements.append(try JSONTreeEncoder.node(of: value, path: nextPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode()
        let path = nextPath
        array.elements.append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ArrayNode()
        let path = nextPath
        array.elements.append(.array(nested))
        return UnkeyedContainer(array: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        // An element encoded through an encoder of its own, set in place as it is encoded.
        let path = nextPath
        let index = array.elements.count
        array.elements.append(.object(ObjectNode()))
        return PlacedEncoder(codingPath: path) { [array] node in array.elements[index] = node }
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "Index \(intValue ?? 0)" }
    var intValue: Int?
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let encoder: JSONTreeEncoder
    /// Called with the value once it is set (for encoders whose value lives in a parent).
    var didSet: ((Node) -> Void)?
    var codingPath: [any CodingKey] { encoder.codingPath }

    init(encoder: JSONTreeEncoder, didSet: ((Node) -> Void)? = nil) {
        self.encoder = encoder
        self.didSet = didSet
    }

    private func set(_ node: Node) {
        encoder.node = node
        didSet?(node)
    }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(try number(value, codingPath)) }
    mutating func encode(_ value: Float) throws { set(try number(value, codingPath)) }
    mutating func encode(_ value: Int) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { set(.number(String(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { set(try JSONTreeEncoder.node(of: value, path: codingPath)) }
}

/// Writes a ``Node`` as UTF-8: keys sorted; pretty-printed with two spaces and `" : "`, or on
/// one line; `/` not escaped; control characters as `\n`, `\t` … or `\u00XX`.
private struct JSONWriter {
    let pretty: Bool
    var bytes: [UInt8] = []

    init(pretty: Bool) {
        self.pretty = pretty
        bytes.reserveCapacity(4096)
    }

    mutating func write(_ node: Node, depth: Int) {
        switch node {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let text): append(text)
        case .string(let text): writeString(text)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                write(element, depth: depth + 1)
            }
            close(UInt8(ascii: "]"), depth: depth, empty: array.elements.isEmpty)
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in object.members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                writeString(key)
                append(pretty ? " : " : ":")
                if let value = object.members[key] { write(value, depth: depth + 1) }
            }
            close(UInt8(ascii: "}"), depth: depth, empty: object.members.isEmpty)
        }
    }

    /// Foundation prints an empty array or object pretty as the bracket, a blank line, and the
    /// closing bracket at the parent's indentation.
    private mutating func close(_ bracket: UInt8, depth: Int, empty: Bool) {
        if pretty {
            if empty { bytes.append(UInt8(ascii: "\n")) }
            newline(depth)
        }
        bytes.append(bracket)
    }

    private mutating func newline(_ depth: Int) {
        guard pretty else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                append("\\u00")
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
