import Foundation
import Testing
@testable import GridbookCore

@Suite("API tokens")
struct TokenTests {
    @Test("tokens are stored as SHA-256 in lowercase hex (swift-crypto's digest, our hex): the FIPS 180-4 vectors")
    func sha256() {
        #expect(SHA256Text.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Text.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Text.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("a token is stored only as its hash, authenticates its person, and stops at revocation or expiry")
    func lifecycle() async throws {
        let database = try await smallCountyDatabase()
        let (token, record) = try await database.issueToken(person: "P1", days: 1, now: testNow)
        #expect(record.hash == SHA256Text.hex(token))
        #expect(try await database.tokens().map(\.hash) == [SHA256Text.hex(token)])
        #expect(try await database.authenticate(token: token, now: testNow)?.scopeUnits == ["G1"])
        #expect(try await database.authenticate(token: token, now: testNow.addingTimeInterval(86_401)) == nil)
        #expect(try await database.authenticate(token: token + "x", now: testNow) == nil)
        try await database.revokeToken(id: record.id ?? 0)
        #expect(try await database.authenticate(token: token, now: testNow) == nil)
        await #expect(throws: GridbookError.notFound("person P9")) { try await database.issueToken(person: "P9") }
        await #expect(throws: GridbookError.invalid(field: "expires", problem: "0 is not a number of days from 1 to 3650")) {
            try await database.issueToken(person: "P1", days: 0)
        }
    }

    @Test("staff give sign-in codes to themselves and the field in their units, not to a colleague who handles cases; a county admin to anyone")
    func codesForColleagues() async throws {
        let database = try AppDatabase.inMemory(clock: .fixed(testNow))
        var files = smallCounty
        files["people.csv"] = files["people.csv"]! + "P3,赵镇干,,\nP4,钱调解,,\nP5,孙镇干,,\nP9,王旗长,,\n"
        files["duties.csv"] = files["duties.csv"]!
            + "P3,township_staff,T1,2025-01-01,\nP4,mediator,T1,2025-01-01,\nP5,township_staff,T1,2025-01-01,\nP9,county_admin,C,2025-01-01,\n"
        let seeds = try SeedDirectory(files)
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        let staff = try #require(try await database.caller(person: "P3"))
        let admin = try #require(try await database.caller(person: "P9"))
        for person in ["P1", "P3"] {
            _ = try await database.issueLoginCode(person: person, issuer: staff, by: .person("P3"))
        }
        for person in ["P4", "P5", "P9"] {
            let error = await #expect(throws: GridbookError.self) {
                try await database.issueLoginCode(person: person, issuer: staff, by: .person("P3"))
            }
            #expect(error.map { "\($0)" }?.contains(person == "P9" ? "outside your units" : "only a county admin may give a sign-in code") == true, "\(person)")
        }
        for person in ["P4", "P5"] {
            _ = try await database.issueLoginCode(person: person, issuer: admin, by: .person("P9"))
        }
        let issued = try await database.read { db in try String.fetchAll(db, sql: "SELECT person_id FROM login_codes ORDER BY id") }
        #expect(issued == ["P1", "P3", "P4", "P5"])
    }
}
