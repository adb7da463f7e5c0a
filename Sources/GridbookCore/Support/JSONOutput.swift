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
        let node = try JSONTreeEncoder.node(of: value, context: EncodingContext(), path: CodingPath())
        var writer = JSONWriter(pretty: pretty)
        writer.write(node, depth: 0)
        return writer.finish()
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
        // Every key of every record comes through here: one pass over contiguous bytes, not
        // Characters, and no String made for a key that is already snake_case.
        var key = key
        return key.withUTF8(snakeCase(utf8:)) ?? key
    }

    /// ``snakeCase(_:)`` of a key's UTF-8, or nil when it stays as it is: no capital, or not
    /// all ASCII.
    private static func snakeCase(utf8: UnsafeBufferPointer<UInt8>) -> String? {
        var hasCapital = false
        var allBits: UInt8 = 0
        for byte in utf8 {
            hasCapital = hasCapital || isCapital(byte)
            allBits |= byte
        }
        guard hasCapital, allBits < 0x80 else { return nil }
        // At most one underscore before each byte.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * utf8.count) { result in
            var count = 0
            for index in utf8.indices {
                let byte = utf8[index]
                if isCapital(byte), index > 0 {
                    let previous = utf8[index - 1]
                    let nextIsLower = index + 1 < utf8.count && isLower(utf8[index + 1])
                    if isLower(previous) || isDigit(previous) || (isCapital(previous) && nextIsLower) {
                        result.initializeElement(at: count, to: UInt8(ascii: "_"))
                        count += 1
                    }
                }
                result.initializeElement(at: count, to: isCapital(byte) ? byte + 32 : byte)
                count += 1
            }
            // A key of up to 15 bytes is made inside the String, without an allocation.
            return String(decoding: UnsafeBufferPointer(rebasing: result[..<count]), as: UTF8.self)
        }
    }

    /// Whether `byte` is an ASCII capital letter.
    private static func isCapital(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "A") < 26 }

    /// Whether `byte` is an ASCII lowercase letter.
    private static func isLower(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "a") < 26 }

    /// Whether `byte` is an ASCII digit.
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}

/// A JSON value being built. Objects and arrays are classes so that containers can fill them
/// after handing them to their parent; a type that encodes itself twice into the same encoder
/// (a record with more fields beside it) fills the same object. Integers and dates are kept as
/// they are and written digit by digit, without a String each.
private enum Node {
    case null, bool(Bool), int(Int64), uint(UInt64), number(String), string(String), date(LocalDate)
    case object(ObjectNode), array(ArrayNode)
}

/// A JSON object.
private final class ObjectNode {
    // Unchecked: every field of every record sets a member, and the runtime check of exclusive
    // access (a thread-local lookup each) was a tenth of the encoding time. Accesses never
    // overlap: a member's value is made before it is set, the writer only reads, and one
    // encoding runs on one thread.
    /// Its members.
    var members: Members

    /// Creates an empty object with room for `capacity` members.
    init(capacity: Int = 0) {
        members = Members(capacity: capacity)
    }

    /// Creates an empty object for the records keyed by `Key`, with room for their keys.
    init<Key: CodingKey>(keyedBy type: Key.Type, context: EncodingContext) {
        members = Members(guide: Members.Guide(keyType: ObjectIdentifier(Key.self), shape: context.shape(for: Key.self)))
    }

    /// Calls `body` with each member to write, in key order: its position, key (also quoted as
    /// JSON when the plan has it so) and value.
    func forEachInWritingOrder(
        _ body: (_ position: Int, _ key: String, _ quotedKey: UnsafeBufferPointer<UInt8>?, _ value: Node) -> Void
    ) {
        let plan = members.writingPlan()
        plan.quotedKeys.withUnsafeBufferPointer { quotedKeys in
            members.list.withUnsafeBufferPointer { members in
                var start = 0
                for position in plan.picks.indices {
                    let pick = plan.picks[position]
                    var quotedKey: UnsafeBufferPointer<UInt8>?
                    if !plan.quotedKeyEnds.isEmpty {
                        let end = plan.quotedKeyEnds[position]
                        quotedKey = UnsafeBufferPointer(rebasing: quotedKeys[start..<end])
                        start = end
                    }
                    body(position, members[pick.key].key, quotedKey, members[pick.value].node)
                }
            }
        }
    }
}

/// An object's members in the order they were set, a key set again appended again (appending
/// is cheaper than looking the key up, and a key is almost never set twice). The writer keeps
/// one member per key, the last value under the first spelling, as the `[String: Node]` this
/// used to be did.
private struct Members {
    /// A key and its value.
    struct Member {
        let key: String
        let node: Node
    }

    /// The CodingKey type whose records fill an object and their ``Shape``, which gives the keys
    /// while the names set are the shape's.
    struct Guide {
        let keyType: ObjectIdentifier
        let shape: Shape
        /// The shape's entries when the object was made: read without asking the shape.
        let known: [Shape.Entry]

        /// The guide of the records keyed by the type `keyType` identifies, along `shape`.
        init(keyType: ObjectIdentifier, shape: Shape) {
            self.keyType = keyType
            self.shape = shape
            known = shape.entries
        }

        /// The key of the property `name` of a record keyed by `keyType`, set as the `index`th
        /// member, or nil when the shape has another name there or the record another key type.
        func key(at index: Int, name: String, keyType: ObjectIdentifier) -> String? {
            guard keyType == self.keyType else { return nil }
            if index < known.count, known[index].isNamed(name) { return known[index].key }
            return shape.key(at: index, name: name)
        }
    }

    /// The members in the order they were set.
    private(set) var list: [Member] = []
    /// The guide while every key has been set along it, or nil.
    private var guide: Guide?

    /// No members, with room for `capacity`.
    init(capacity: Int) {
        list.reserveCapacity(capacity)
    }

    /// No members, to be set along `guide`, with room for the keys of its shape (up to 32: the
    /// shape of the coding keys of dictionaries with Int keys is as large as the first one).
    init(guide: Guide) {
        // Growing one member at a time is allocations more.
        list.reserveCapacity(guide.known.isEmpty ? 8 : min(guide.known.count, 32))
        self.guide = guide
    }

    /// Sets `key` to `node`, replacing its value if it was set.
    mutating func set(_ key: String, _ node: consuming Node) {
        list.append(Member(key: key, node: node))
        guide = nil
    }

    /// Sets the property `name` of a record keyed by `keyType` (its key snake-cased) to `node`.
    mutating func set(name: String, keyType: ObjectIdentifier, _ node: consuming Node) {
        // Through the optional in place: binding the guide copied it, two retains a field.
        if let key = guide?.key(at: list.count, name: name, keyType: keyType) {
            list.append(Member(key: key, node: node))
        } else {
            set(JSONOutput.snakeCase(name), node)
        }
    }

    /// The value last set for `key`, or nil.
    func value(forKey key: String) -> Node? {
        list.last { $0.key == key }?.node
    }

    /// How these members are written: the shape's plan when these are all of its keys.
    func writingPlan() -> WritingPlan {
        if let plan = guide?.shape.writingPlan(count: list.count) { return plan }
        let list = self.list
        return WritingPlan(picks: picks(count: list.count) { list[$0].key })
    }
}

/// The keys the records of one CodingKey type set, in the order they set them, learned from the
/// first record of the type in an encoding: the records after it take their snake_case keys and
/// their key order from here instead of working them out again.
private final class Shape {
    /// A property name, as `stringValue` gives it, and its JSON key.
    struct Entry {
        let name: String
        let key: String
        /// Whether `name` is all ASCII.
        let nameIsASCII: Bool

        /// The entry of the property `name`, written as `key`.
        init(name: String, key: String) {
            self.name = name
            self.key = key
            nameIsASCII = name.utf8.allSatisfy { $0 < 0x80 }
        }

        /// Whether `other` is this entry's name spelled byte for byte the same: `==` alone also
        /// takes a canonically equivalent spelling (`é` as one scalar or two), which keeps its
        /// own spelling as a key. Of an ASCII name, such a spelling has a scalar of two bytes
        /// or more for a letter (the Kelvin sign for K), so it is longer.
        func isNamed(_ other: String) -> Bool {
            guard name == other else { return false }
            return nameIsASCII ? name.utf8.count == other.utf8.count : name.utf8.elementsEqual(other.utf8)
        }
    }

    /// The names and keys in the order they were set.
    private(set) var entries: [Entry] = []
    /// How an object with all the keys is written, once asked for.
    private var plan: WritingPlan?

    /// The key for the property `name` set as the `index`th member, the shape extended when it
    /// ends there; nil when the shape has another name at `index`.
    func key(at index: Int, name: String) -> String? {
        if index < entries.count { return entries[index].isNamed(name) ? entries[index].key : nil }
        guard index == entries.count else { return nil }
        let key = JSONOutput.snakeCase(name)
        entries.append(Entry(name: name, key: key))
        plan = nil
        return key
    }

    /// How an object with `count` members set along the shape is written, or nil when the shape
    /// has more keys: its keys quoted once for all the objects.
    func writingPlan(count: Int) -> WritingPlan? {
        guard count == entries.count else { return nil }
        if let plan { return plan }
        let entries = self.entries
        let picks = picks(count: entries.count) { entries[$0].key }
        var writer = JSONWriter(pretty: false, capacity: 16 * entries.count)
        var ends: [Int] = []
        for pick in picks {
            writer.writeString(entries[pick.key].key)
            ends.append(writer.count)
        }
        let plan = WritingPlan(picks: picks, quotedKeys: writer.finish(), quotedKeyEnds: ends)
        self.plan = plan
        return plan
    }
}

/// How an object is written: its members in key order, one per key, and for an object set along
/// a shape, its keys already quoted as JSON. A class: the writer takes one reference, not three.
private final class WritingPlan {
    /// The members to write, in key order.
    let picks: [Pick]
    /// The picks' keys quoted, one after the other, or none.
    let quotedKeys: [UInt8]
    /// Where each pick's quoted key ends in `quotedKeys`, or none.
    let quotedKeyEnds: [Int]

    /// A plan to write `picks`, their keys quoted as `quotedKeys` (empty: quoted as they are
    /// written).
    init(picks: [Pick], quotedKeys: [UInt8] = [], quotedKeyEnds: [Int] = []) {
        self.picks = picks
        self.quotedKeys = quotedKeys
        self.quotedKeyEnds = quotedKeyEnds
    }
}

/// One member of an object as written: the key of the member set first under it, the value of
/// the one set last.
private struct Pick {
    /// The index of the member whose key is written.
    let key: Int
    /// The index of the member whose value is written.
    let value: Int
}

/// The members to write of an object with `count` members, in key order (String's `<`, as
/// `sorted()` ordered the dictionary's keys), one per key.
private func picks(count: Int, key: (Int) -> String) -> [Pick] {
    var order = Array(0..<count)
    // Both sorts are stable: the members of a key set twice stay in the order they were set.
    if count <= 16 {
        // A record's handful of keys: insertion sort, the fewest comparisons.
        for next in order.indices.dropFirst() {
            let moving = order[next]
            let movingKey = key(moving)
            var slot = next
            while slot > 0, movingKey < key(order[slot - 1]) {
                order[slot] = order[slot - 1]
                slot -= 1
            }
            order[slot] = moving
        }
    } else {
        order.sort { key($0) < key($1) }
    }
    var picks: [Pick] = []
    picks.reserveCapacity(count)
    var start = 0
    while start < count {
        var end = start + 1
        while end < count, key(order[end]) == key(order[start]) { end += 1 }
        picks.append(Pick(key: order[start], value: order[end - 1]))
        start = end
    }
    return picks
}

/// A JSON array.
private final class ArrayNode {
    // Unchecked, as an object's members are.
    /// Its elements.
    var elements: [Node] = []
}

/// What one encoding learns as it goes, for the values after the first of their type: which
/// types are not dictionaries, and the ``Shape`` of each CodingKey type.
private final class EncodingContext {
    /// Types found not to be String-keyed dictionaries (a few: records and their lists).
    private var plainTypes: [ObjectIdentifier] = []
    /// The shapes, by CodingKey type.
    private var shapes: [ObjectIdentifier: Shape] = [:]
    /// The shape asked for last: a list asks for the same one over and over.
    private var lastShape: (type: ObjectIdentifier, shape: Shape)?

    /// Whether `type` is a dictionary with String keys.
    func isStringKeyedDictionary<T>(_ type: T.Type) -> Bool {
        let id = ObjectIdentifier(type)
        if plainTypes.contains(id) { return false }
        // A runtime conformance lookup: asked once per type.
        if type is any StringKeyedDictionary.Type { return true }
        if plainTypes.count < 16 { plainTypes.append(id) }
        return false
    }

    /// The shape of the records keyed by `Key`.
    func shape<Key: CodingKey>(for type: Key.Type) -> Shape {
        let id = ObjectIdentifier(type)
        if let lastShape, lastShape.type == id { return lastShape.shape }
        let shape = shapes[id] ?? Shape()
        shapes[id] = shape
        lastShape = (id, shape)
        return shape
    }
}

/// A coding path, made into an array only when asked for: only errors and the `codingPath` of
/// an encoder or container read it, and an array per field was an allocation per field.
private struct CodingPath {
    /// The keys before the last.
    var parent: [any CodingKey] = []
    /// The last key, or nil when the path is `parent`.
    var last: (any CodingKey)?

    /// The path as an array.
    var keys: [any CodingKey] {
        if let last { parent + [last] } else { parent }
    }

    /// This path with `key` after it.
    func appending(_ key: any CodingKey) -> CodingPath {
        CodingPath(parent: keys, last: key)
    }
}

/// A dictionary with String keys, whose keys are written as they are.
private protocol StringKeyedDictionary {
    /// The dictionary as an object, its values encoded at `path`.
    func object(context: EncodingContext, path: () -> CodingPath) throws -> ObjectNode
}

/// Every dictionary with String keys, whatever its values.
extension Dictionary: StringKeyedDictionary where Key == String, Value: Encodable {
    /// The dictionary as an object, its values encoded at `path` (the dictionary's own, as before).
    fileprivate func object(context: EncodingContext, path: () -> CodingPath) throws -> ObjectNode {
        let object = ObjectNode(capacity: count)
        for (key, element) in self {
            let node = try JSONTreeEncoder.node(of: element, context: context, path: path())
            object.members.set(key, node)
        }
        return object
    }
}

/// The `Encoder` that builds a ``Node`` of a value.
private final class JSONTreeEncoder: Encoder {
    let path: CodingPath
    let context: EncodingContext
    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var node: Node?

    /// An encoder of a value at `path`.
    init(path: CodingPath, context: EncodingContext) {
        self.path = path
        self.context = context
    }

    /// The JSON of `value`, with fast paths for the common leaf types; `path` is made only for a
    /// value that needs an encoder of its own.
    static func node<T: Encodable>(of value: T, context: EncodingContext, path: @autoclosure () -> CodingPath) throws -> Node {
        // The type compared first: most values are records, and a failed `as?` is a runtime cast.
        if T.self == String.self, let text = value as? String { return .string(text) }
        if T.self == Int.self, let number = value as? Int { return .int(Int64(number)) }
        if T.self == Bool.self, let flag = value as? Bool { return .bool(flag) }
        if T.self == LocalDate.self, let date = value as? LocalDate { return .date(date) }
        if context.isStringKeyedDictionary(T.self), let dictionary = value as? any StringKeyedDictionary {
            // A dictionary's keys are data (category codes, levels), not property names: written
            // as they are, as JSONEncoder does.
            return .object(try dictionary.object(context: context, path: path))
        }
        let encoder = JSONTreeEncoder(path: path(), context: context)
        try value.encode(to: encoder)
        // A value that encodes nothing is an empty object, as JSONEncoder writes it.
        return encoder.node ?? .object(ObjectNode())
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: ObjectNode
        if case .object(let existing) = node { object = existing } else {
            object = ObjectNode(keyedBy: Key.self, context: context)
            node = .object(object)
        }
        return KeyedEncodingContainer(KeyedContainer(object: object, encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: ArrayNode
        if case .array(let existing) = node { array = existing } else {
            array = ArrayNode()
            node = .array(array)
        }
        return UnkeyedContainer(array: array, encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }
}

/// A number as JSON: its shortest form (a Float's own, not a Double's), integral values without
/// a fraction (`100`, as JSONEncoder writes them); NaN and infinities are refused, as JSON has
/// no word for them.
private func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, _ path: @autoclosure () -> CodingPath) throws -> Node {
    guard value.isFinite else {
        throw EncodingError.invalidValue(value, .init(codingPath: path().keys, debugDescription: "\(value) is not a JSON number"))
    }
    let text = "\(value)"
    return .number(text.hasSuffix(".0") ? String(text.dropLast(2)) : text)
}

/// The keyed container of an object.
private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: ObjectNode
    /// The encoder whose path and context this container's values take (a nested container has
    /// one of its own, for its path).
    let encoder: JSONTreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    private var path: CodingPath { encoder.path }
    private var context: EncodingContext { encoder.context }

    /// Sets the member of `key` to `node`.
    private func set(_ node: consuming Node, _ key: Key) {
        object.members.set(name: key.stringValue, keyType: ObjectIdentifier(Key.self), node)
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        let node = try number(value, path.appending(key))
        set(node, key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        let node = try number(value, path.appending(key))
        set(node, key)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.int(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(.uint(UInt64(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.uint(UInt64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.uint(UInt64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.uint(UInt64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.uint(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        // The node made before `set` is called: with `try` among its arguments, `self` was
        // copied for the call.
        let node = try JSONTreeEncoder.node(of: value, context: context, path: path.appending(key))
        set(node, key)
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
        let name = JSONOutput.snakeCase(key.stringValue)
        let nested: ObjectNode
        if case .object(let existing) = object.members.value(forKey: name) { nested = existing } else {
            nested = ObjectNode(keyedBy: NestedKey.self, context: context)
            object.members.set(name, .object(nested))
        }
        let encoder = JSONTreeEncoder(path: path.appending(key), context: context)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, encoder: encoder))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let name = JSONOutput.snakeCase(key.stringValue)
        let nested: ArrayNode
        if case .array(let existing) = object.members.value(forKey: name) { nested = existing } else {
            nested = ArrayNode()
            object.members.set(name, .array(nested))
        }
        return UnkeyedContainer(array: nested, encoder: JSONTreeEncoder(path: path.appending(key), context: context))
    }

    mutating func superEncoder() -> any Encoder {
        placedEncoder(key: "super", path: path)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        placedEncoder(key: JSONOutput.snakeCase(key.stringValue), path: path.appending(key))
    }

    /// An encoder for the member `key`: an empty object until something is encoded into it.
    private func placedEncoder(key: String, path: CodingPath) -> any Encoder {
        object.members.set(key, .object(ObjectNode()))
        return PlacedEncoder(path: path, context: context) { [object] node in object.members.set(key, node) }
    }
}

/// An encoder whose value is put in place by `place` as it is encoded: a member of an object
/// (`superEncoder`) or an element of an array (`superEncoder` of an unkeyed container).
private final class PlacedEncoder: Encoder {
    private let inner: JSONTreeEncoder
    private let place: (Node) -> Void
    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// An encoder of a value at `path`, which `place` puts in place.
    init(path: CodingPath, context: EncodingContext, place: @escaping (Node) -> Void) {
        inner = JSONTreeEncoder(path: path, context: context)
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

/// The unkeyed container of an array.
private struct UnkeyedContainer: UnkeyedEncodingContainer, NodePlacing {
    let array: ArrayNode
    /// The encoder whose path and context this container's values take (a nested container has
    /// one of its own, for its path).
    let encoder: JSONTreeEncoder
    /// The path as an array, made once for the elements that need a path.
    private var keys: [any CodingKey]?
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { array.elements.count }
    private var path: CodingPath { encoder.path }
    private var context: EncodingContext { encoder.context }

    /// The container of `array`, filled by `encoder`.
    init(array: ArrayNode, encoder: JSONTreeEncoder) {
        self.array = array
        self.encoder = encoder
    }

    /// The path of the next element.
    private mutating func nextPath() -> CodingPath {
        let keys = self.keys ?? path.keys
        self.keys = keys
        return CodingPath(parent: keys, last: IndexKey(intValue: count))
    }

    /// Appends the next element.
    private func append(_ node: consuming Node) { array.elements.append(node) }

    mutating func valuePath() -> CodingPath { nextPath() }
    var valueContext: EncodingContext { context }
    func put(_ node: consuming Node) { append(node) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode(keyedBy: NestedKey.self, context: context)
        let encoder = JSONTreeEncoder(path: nextPath(), context: context)
        append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, encoder: encoder))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ArrayNode()
        let encoder = JSONTreeEncoder(path: nextPath(), context: context)
        append(.array(nested))
        return UnkeyedContainer(array: nested, encoder: encoder)
    }

    mutating func superEncoder() -> any Encoder {
        // An element encoded through an encoder of its own, set in place as it is encoded.
        let path = nextPath()
        let index = array.elements.count
        append(.object(ObjectNode()))
        return PlacedEncoder(path: path, context: context) { [array] node in array.elements[index] = node }
    }
}

/// What the unkeyed and the single-value containers share: each primitive made into a node,
/// put in place (an array's next element, or the encoder's one value).
private protocol NodePlacing {
    /// The path of the value being encoded (for an unkeyed container, its next element's).
    mutating func valuePath() -> CodingPath
    var valueContext: EncodingContext { get }
    mutating func put(_ node: consuming Node)
}

extension NodePlacing {
    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws {
        let node = try number(value, valuePath())
        put(node)
    }
    mutating func encode(_ value: Float) throws {
        let node = try number(value, valuePath())
        put(node)
    }
    mutating func encode(_ value: Int) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { put(.int(value)) }
    mutating func encode(_ value: UInt) throws { put(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { put(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { put(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { put(.uint(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { put(.uint(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let node = try JSONTreeEncoder.node(of: value, context: valueContext, path: valuePath())
        put(node)
    }
}

/// The coding key of an array element, as JSONEncoder names it in coding paths.
private struct IndexKey: CodingKey {
    var stringValue: String { "Index \(intValue ?? 0)" }
    var intValue: Int?
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

/// The container of an encoder's one value.
private struct SingleValueContainer: SingleValueEncodingContainer, NodePlacing {
    let encoder: JSONTreeEncoder
    /// Called with the value once it is set (for encoders whose value lives in a parent).
    var didSet: ((Node) -> Void)?
    var codingPath: [any CodingKey] { encoder.codingPath }

    /// The container of `encoder`'s value.
    init(encoder: JSONTreeEncoder, didSet: ((Node) -> Void)? = nil) {
        self.encoder = encoder
        self.didSet = didSet
    }

    /// Sets the encoder's value to `node`.
    func put(_ node: consuming Node) {
        encoder.node = node
        didSet?(node)
    }

    func valuePath() -> CodingPath { encoder.path }
    var valueContext: EncodingContext { encoder.context }
}

/// Writes a ``Node`` as UTF-8: keys sorted; pretty-printed with two spaces and `" : "`, or on
/// one line; `/` not escaped; control characters as `\n`, `\t` … or `\u00XX`.
private struct JSONWriter: ~Copyable {
    let pretty: Bool
    private var bytes: ByteBuffer

    /// A writer with room for `capacity` bytes to begin with.
    init(pretty: Bool, capacity: Int = 4096) {
        self.pretty = pretty
        bytes = ByteBuffer(capacity: capacity)
    }

    /// The number of bytes written.
    var count: Int { bytes.count }

    /// The bytes written.
    consuming func finish() -> [UInt8] {
        bytes.array()
    }

    /// Writes `node`, `depth` levels in.
    mutating func write(_ node: Node, depth: Int) {
        switch node {
        case .null: bytes.append("null")
        case .bool(let flag): bytes.append(flag ? "true" : "false")
        case .int(let number): writeInteger(number.magnitude, negative: number < 0)
        case .uint(let number): writeInteger(number, negative: false)
        case .number(let text): writeRaw(text)
        case .string(let text): writeString(text)
        case .date(let date):
            // Digits and dashes: nothing to escape.
            bytes.append(UInt8(ascii: "\""))
            date.withText { bytes.append($0) }
            bytes.append(UInt8(ascii: "\""))
        case .array(let array):
            let elements = array.elements
            bytes.append(UInt8(ascii: "["))
            for index in elements.indices {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                write(elements[index], depth: depth + 1)
            }
            close(UInt8(ascii: "]"), depth: depth, empty: elements.isEmpty)
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            object.forEachInWritingOrder { position, key, quotedKey, value in
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                if let quotedKey { bytes.append(quotedKey) } else { writeString(key) }
                bytes.append(pretty ? " : " : ":")
                write(value, depth: depth + 1)
            }
            close(UInt8(ascii: "}"), depth: depth, empty: object.members.list.isEmpty)
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

    /// Starts a line `depth` levels in, when pretty.
    private mutating func newline(_ depth: Int) {
        guard pretty else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(repeating: UInt8(ascii: " "), count: 2 * depth)
    }

    /// Writes an integer's digits, as `String(value)` would.
    private mutating func writeInteger(_ magnitude: UInt64, negative: Bool) {
        if negative { bytes.append(UInt8(ascii: "-")) }
        guard magnitude >= 10 else {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        // UInt64.max has 20 digits.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = magnitude
            var start = digits.count
            while rest > 0 {
                start -= 1
                digits.initializeElement(at: start, to: UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
            }
            bytes.append(UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Writes text as it is.
    private mutating func writeRaw(_ text: String) {
        withUTF8(of: text) { bytes.append($0) }
    }

    /// Writes a string in quotes, the bytes between escapes copied as runs.
    mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        withUTF8(of: text) { utf8 in
            var run = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(UnsafeBufferPointer(rebasing: utf8[run..<index]))
                writeEscape(byte)
                run = index + 1
            }
            bytes.append(UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes a quote, a backslash or a control character escaped.
    private mutating func writeEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append("\\\"")
        case UInt8(ascii: "\\"): bytes.append("\\\\")
        case 0x0A: bytes.append("\\n")
        case 0x0D: bytes.append("\\r")
        case 0x09: bytes.append("\\t")
        case 0x08: bytes.append("\\b")
        case 0x0C: bytes.append("\\f")
        default:
            let hex: StaticString = "0123456789abcdef"
            bytes.append("\\u00")
            hex.withUTF8Buffer { digits in
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
        }
    }
}

/// Calls `body` with the UTF-8 of `text`, without copying the String (only a bridged one is).
private func withUTF8<Result>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
    var text = text
    return text.withUTF8(body)
}

/// A growing buffer of bytes written through a pointer: Array's appends, a call and a
/// uniqueness check each, were a good part of the writing.
private struct ByteBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    /// An empty buffer with room for `capacity` bytes.
    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    /// Frees the bytes.
    deinit {
        base.deallocate()
    }

    /// The bytes as an array.
    consuming func array() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// Appends `byte`.
    mutating func append(_ byte: UInt8) {
        reserve(1)
        (base + count).initialize(to: byte)
        count += 1
    }

    /// Appends `bytes`.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        reserve(bytes.count)
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Appends the UTF-8 of `text`.
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// Appends `byte` `extra` times.
    mutating func append(repeating byte: UInt8, count extra: Int) {
        reserve(extra)
        (base + count).initialize(repeating: byte, count: extra)
        count += extra
    }

    /// Makes room for `extra` more bytes.
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toFit: extra) }
    }

    /// Moves the bytes to a buffer with room for `extra` more, twice as large at least (kept
    /// apart from ``reserve(_:)`` so that the appends stay small enough to be inlined).
    private mutating func grow(toFit extra: Int) {
        capacity = max(2 * capacity, count + extra)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.moveInitialize(from: base, count: count)
        base.deallocate()
        base = grown
    }
}
