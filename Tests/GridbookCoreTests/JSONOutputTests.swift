import Foundation
import GridbookCore
import Testing

/// A value with every shape the API's records have, nil-free, to compare with JSONEncoder.
private struct Sample: Encodable {
    struct Inner: Encodable {
        var dueOn: LocalDate
        var intervalDays: Int
    }

    var householdCode: String
    var coverage: Double
    var wholeNumber: Double
    var members: Int
    var covered: Bool
    var tags: [String]
    var emptyList: [Int]
    var nested: Inner
    var rows: [Inner]
    /// Data keys (category codes may hold capitals): written as they are.
    var byLevel: [String: Int]
    var ratio: Float
}

/// A value with absent optionals, at the top and nested.
private struct WithNulls: Encodable {
    struct Inner: Encodable {
        var lastMet: LocalDate?
        var note: String?
    }

    var parentCode: String?
    var count: Int?
    var inner: Inner
    var list: [Inner?]
}

/// A value that encodes parts of itself through `superEncoder`, keyed and unkeyed.
private struct ThroughSuperEncoders: Encodable {
    enum Keys: String, CodingKey { case base, name, list }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("乌兰", forKey: .name)
        try ["a": 1].encode(to: container.superEncoder(forKey: .base))
        try [2, 3].encode(to: container.superEncoder())
        var list = container.nestedUnkeyedContainer(forKey: .list)
        try "x".encode(to: list.superEncoder())
        try list.encode(4)
    }
}

/// A record with more members than an object sorts by insertion (16), its keys camelCase.
private struct Wide: Encodable {
    var alphaOne = 1, bravoTwo = 2, charlieThree = 3, deltaFour = 4, echoFive = 5, foxtrotSix = 6, golfSeven = 7
    var hotelEight = 8, indiaNine = 9, julietTen = 10, kiloEleven = 11, limaTwelve = 12, mikeThirteen = 13
    var novemberFourteen = 14, oscarFifteen = 15, papaSixteen = 16, quebecSeventeen = 17, romeoEighteen = 18
    var sierraNineteen = 19, tangoTwenty = 20
}

/// Integers of every width at their limits, in every kind of container.
private struct Integers: Encodable {
    var int = Int.min, int8 = Int8.min, int16 = Int16.min, int32 = Int32.min, int64 = Int64.max
    var uint = UInt.max, uint8 = UInt8.max, uint16 = UInt16.max, uint32 = UInt32.max, uint64 = UInt64.max
    var list: [Int64] = [0, -1, 9, 10, -10, 99, 100, .min, .max]
    var unsigned: [UInt64] = [0, 9, 10, .max]
    var small: [Int8] = [-128, 127, 0]
}

/// A tree of records of one type: the inner records are encoded while the outer one is.
private struct Tree: Encodable {
    var unitCode: String
    var children: [Tree]
    var levelName: String
}

/// A record whose keys depend on its values: one key left out, two in another order.
private struct Varying: Encodable {
    enum Keys: String, CodingKey { case first, secondValue, thirdValue }
    var first: Int
    var second: Int?
    var swapped = false

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        if swapped { try container.encode(3, forKey: .thirdValue) }
        try container.encode(first, forKey: .first)
        if let second { try container.encode(second, forKey: .secondValue) }
        if !swapped { try container.encode(3, forKey: .thirdValue) }
    }
}

/// A record with more fields beside those of the record it wraps, in the same object.
private struct Wrapped: Encodable {
    enum Keys: String, CodingKey { case extraField }
    var inner: Tree
    var extraField: Int

    func encode(to encoder: any Encoder) throws {
        try inner.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(extraField, forKey: .extraField)
    }
}

/// A record that sets keys more than once, through every path that sets one.
private struct SetsKeysTwice: Encodable {
    enum Keys: String, CodingKey { case name, count, nested, gridCode, grid_code }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("first", forKey: .name)
        try container.encode(1, forKey: .count)
        try container.encode("second", forKey: .name)
        var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .nested)
        try nested.encode(1, forKey: .count)
        var sameNested = container.nestedContainer(keyedBy: Keys.self, forKey: .nested)
        try sameNested.encode(2, forKey: .name)
        try container.encode("camel", forKey: .gridCode)
        try container.encode("snake", forKey: .grid_code)
        var sameObject = encoder.container(keyedBy: Keys.self)
        try sameObject.encode(3, forKey: .count)
    }
}

/// A record that sets one key twice and nothing else: the key order of its type is learned with
/// the repeat in it.
private struct RepeatsAKey: Encodable {
    enum Keys: String, CodingKey { case name, count }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("a", forKey: .name)
        try container.encode(1, forKey: .count)
        try container.encode("b", forKey: .name)
    }
}

/// Keys spelled differently but canonically equivalent (`é` as one scalar, then as two), set in
/// either order: one member, the value set last under the spelling set first.
private struct EquivalentKeys: Encodable {
    enum Keys: String, CodingKey {
        case composed = "\u{e9}"
        case decomposed = "e\u{301}"
    }

    var composedFirst: Bool

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(1, forKey: composedFirst ? .composed : .decomposed)
        try container.encode(2, forKey: composedFirst ? .decomposed : .composed)
    }
}

/// A key that needs escaping, in records of one type (whose keys are quoted once).
private struct EscapedKey: Encodable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(1, forKey: Key(stringValue: "a\"b\\c\u{1}/"))
    }
}

/// A value that writes the coding path it is encoded at.
private struct PathProbe: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(encoder.codingPath.map(\.stringValue).joined(separator: "/"))
    }
}

/// Probes at every depth.
private struct Probed: Encodable {
    struct Row: Encodable {
        var probe = PathProbe()
        var probes = [PathProbe(), PathProbe()]
    }

    var probe = PathProbe()
    var rows = [Row(), Row()]
    var nested: [[PathProbe]] = [[PathProbe()]]
    var optional: PathProbe? = PathProbe()
}

@Suite("Gridbook's JSON encoding")
struct JSONOutputTests {
    private func text(_ value: some Encodable, pretty: Bool = true) throws -> String {
        String(decoding: try JSONOutput.bytes(value, pretty: pretty), as: UTF8.self)
    }

    @Test("without absent values it prints exactly what JSONEncoder prints with snake_case keys, sorted and pretty")
    func sameAsFoundation() throws {
        let sample = Sample(
            householdCode: "150599003001005-0001", coverage: 89.9, wholeNumber: 100, members: 3, covered: true,
            tags: ["elderly", "hardship"], emptyList: [], nested: .init(dueOn: LocalDate("2026-06-30")!, intervalDays: 7),
            rows: [.init(dueOn: LocalDate("2025-04-01")!, intervalDays: 90)],
            byLevel: ["red": 1, "blue": 0, "LandUse": 2, "NOISE": 3, "noise": 4], ratio: 0.1
        )
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        foundation.keyEncodingStrategy = .convertToSnakeCase
        #expect(try text(sample) == String(decoding: try foundation.encode(sample), as: UTF8.self))
    }

    @Test("values encoded through superEncoder land where JSONEncoder puts them")
    func superEncoders() throws {
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        #expect(try text(ThroughSuperEncoders()) == String(decoding: try foundation.encode(ThroughSuperEncoders()), as: UTF8.self))
        #expect(try text(ThroughSuperEncoders(), pretty: false) == #"{"base":{"a":1},"list":["x",4],"name":"乌兰","super":[2,3]}"#)
    }

    @Test("an absent optional is null at every depth, never left out")
    func explicitNulls() throws {
        let value = WithNulls(parentCode: nil, count: nil, inner: .init(lastMet: nil, note: "x"), list: [nil, .init(lastMet: LocalDate("2026-01-02"), note: nil)])
        #expect(try text(value, pretty: false) == """
            {"count":null,"inner":{"last_met":null,"note":"x"},"list":[null,{"last_met":"2026-01-02","note":null}],"parent_code":null}
            """)
    }

    @Test("keys: camelCase to snake_case, a run of capitals as one word; snake_case keys stay as they are")
    func keys() {
        #expect(JSONOutput.snakeCase("householdCode") == "household_code")
        #expect(JSONOutput.snakeCase("gridsWithoutGridMember") == "grids_without_grid_member")
        #expect(JSONOutput.snakeCase("reportURLText") == "report_url_text")
        #expect(JSONOutput.snakeCase("within15Minutes") == "within15_minutes")
        #expect(JSONOutput.snakeCase("grid_code") == "grid_code")
        #expect(JSONOutput.snakeCase("id") == "id")
    }

    @Test("strings: quotes, backslashes and control characters escaped, slashes and Chinese as they are; 1,000 random strings as JSONEncoder writes them")
    func strings() throws {
        #expect(try text("第一网格 \"A/B\" \\ \n\t\r\u{8}\u{c}\u{1}\u{1f}") == #""第一网格 \"A/B\" \\ \n\t\r\b\f\u0001\u001f""#)
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.withoutEscapingSlashes]
        var generator = SeededGenerator(seed: 20261202)
        let pool = Array("abc 第一网格乌兰嘎查\"\\/\n\t\r\u{0}\u{7}\u{1b}\u{7f}é😀".unicodeScalars)
        for _ in 0..<1000 {
            let length = Int.random(in: 0...12, using: &generator)
            let string = String(String.UnicodeScalarView((0..<length).map { _ in pool.randomElement(using: &generator)! }))
            #expect(try text(string) == String(decoding: try foundation.encode(string), as: UTF8.self))
        }
    }

    @Test("numbers: a whole Double without its fraction, others shortest; NaN and infinity refused")
    func numbers() throws {
        #expect(try text([100.0, 89.9, 0.1 + 0.2, -0.5, 1e21], pretty: false) == "[100,89.9,0.30000000000000004,-0.5,1e+21]")
        #expect(throws: EncodingError.self) { try text([Double.nan]) }
        #expect(throws: EncodingError.self) { try text(["x": Double.infinity]) }
    }

    /// What JSONEncoder prints set as `JSONOutput` prints: snake_case keys, sorted, pretty.
    private func foundation(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("objects with more members than are sorted by insertion, alone and in lists, as JSONEncoder prints them")
    func manyMembers() throws {
        let keys = (0..<40).map { String(UnicodeScalar(UInt8(ascii: "a") + UInt8($0 % 26))) + String(UnicodeScalar(UInt8(ascii: "z") - UInt8($0 / 2))) }
        let dictionary = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        #expect(try text(Wide()) == (try foundation(Wide())))
        #expect(try text([Wide(), Wide(), Wide()]) == (try foundation([Wide(), Wide(), Wide()])))
        #expect(try text([dictionary, dictionary]) == (try foundation([dictionary, dictionary])))
    }

    @Test("integers of every width at their limits, as JSONEncoder writes them")
    func integers() throws {
        #expect(try text(Integers()) == (try foundation(Integers())))
        #expect(try text(Int64.min) == "-9223372036854775808")
        #expect(try text(UInt64.max, pretty: false) == "18446744073709551615")
    }

    @Test("records of one type with different keys, a tree of them, and one with fields beside another's, as JSONEncoder prints them")
    func recordsOfOneType() throws {
        let leaf = Tree(unitCode: "V1", children: [], levelName: "village")
        let tree = Tree(unitCode: "C", children: [Tree(unitCode: "T1", children: [leaf, leaf], levelName: "town"), leaf], levelName: "county")
        let varying = [Varying(first: 1, second: 2), Varying(first: 1, second: nil), Varying(first: 1, second: 2, swapped: true), Varying(first: 1, second: 2)]
        let wrapped = [Wrapped(inner: leaf, extraField: 1), Wrapped(inner: tree, extraField: 2)]
        #expect(try text([tree, tree]) == (try foundation([tree, tree])))
        #expect(try text(varying) == (try foundation(varying)))
        #expect(try text(wrapped) == (try foundation(wrapped)))
    }

    @Test("a key set again replaces its value: twice in a container, through a second container of the same object, through two names of one key")
    func keysSetTwice() throws {
        #expect(try text([SetsKeysTwice(), SetsKeysTwice()], pretty: false) == """
            [{"count":3,"grid_code":"snake","name":"second","nested":{"count":1,"name":2}},\
            {"count":3,"grid_code":"snake","name":"second","nested":{"count":1,"name":2}}]
            """)
        #expect(try text([RepeatsAKey(), RepeatsAKey()], pretty: false) == #"[{"count":1,"name":"b"},{"count":1,"name":"b"}]"#)
        // One member of canonically equivalent keys: the value set last, the spelling set first.
        let equivalent = try text([EquivalentKeys(composedFirst: true), EquivalentKeys(composedFirst: false), EquivalentKeys(composedFirst: true)], pretty: false)
        #expect(Array(equivalent.unicodeScalars) == Array(#"[{"\#u{e9}":2},{"e\#u{301}":2},{"\#u{e9}":2}]"#.unicodeScalars))
    }

    @Test("dictionary keys in String order, not byte order: é after f, é spelled with a combining accent after é1")
    func nonASCIIKeyOrder() throws {
        let dictionary = ["b": 1, "a": 2, "Z": 3, "ex": 4, "\u{e9}": 5, "e\u{301}x": 6, "乌兰": 7, "\u{e9}1": 8, "f": 9]
        let json = try text(dictionary, pretty: false)
        #expect(Array(json.unicodeScalars) == Array(#"{"Z":3,"a":2,"b":1,"ex":4,"f":9,"\#u{e9}":5,"\#u{e9}1":8,"e\#u{301}x":6,"乌兰":7}"#.unicodeScalars))
    }

    @Test("strings and keys with every ASCII character escaped as JSONEncoder escapes them")
    func everyEscape() throws {
        let every = String(String.UnicodeScalarView((0..<0x80).compactMap(UnicodeScalar.init))) + "é乌😀"
        #expect(try text(every) == (try foundation(every)))
        #expect(try text([every: every]) == (try foundation([every: every])))
        #expect(try text([EscapedKey(), EscapedKey()], pretty: false) == #"[{"a\"b\\c\u0001/":1},{"a\"b\\c\u0001/":1}]"#)
    }

    @Test("coding paths: as JSONEncoder gives them, in records, lists and optionals; a dictionary's values at the dictionary's own")
    func codingPaths() throws {
        #expect(try text(Probed()) == (try foundation(Probed())))
        struct ByLevel: Encodable { var byLevel = ["red": PathProbe()] }
        #expect(try text(ByLevel(), pretty: false) == #"{"by_level":{"red":"byLevel"}}"#)
        struct Row: Encodable { var ratio: Double }
        struct Rows: Encodable { var rows: [Row] }
        let value = Rows(rows: [Row(ratio: 1), Row(ratio: .nan)])
        var path: [String] = []
        do { _ = try JSONOutput.bytes(value) } catch let EncodingError.invalidValue(_, context) {
            path = context.codingPath.map(\.stringValue)
        }
        #expect(path == ["rows", "Index 1", "ratio"])
    }
}
