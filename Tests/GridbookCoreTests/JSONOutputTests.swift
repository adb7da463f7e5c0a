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
    var byLevel: [String: Int]
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
            rows: [.init(dueOn: LocalDate("2025-04-01")!, intervalDays: 90)], byLevel: ["red": 1, "blue": 0]
        )
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        foundation.keyEncodingStrategy = .convertToSnakeCase
        #expect(try text(sample) == String(decoding: try foundation.encode(sample), as: UTF8.self))
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
