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
}
