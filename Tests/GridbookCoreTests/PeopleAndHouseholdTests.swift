import Foundation
import Testing
@testable import GridbookCore

@Suite("People and households as shown")
struct PeopleAndHouseholdTests {
    @Test("a person's phone and ID number are masked; duties are listed")
    func person() async throws {
        let database = try await smallCountyDatabase()
        let person = try await database.person(id: "P1")
        #expect(person.phone == "138****1234")
        #expect(person.idNumber == "110101********1233")
        #expect(person.duties == [DutyView(role: .gridMember, unitCode: "G1", unitName: "第一网格", since: LocalDate("2025-01-01")!, until: nil, active: true)])
        let json = String(decoding: try JSONOutput.encode(person), as: UTF8.self)
        #expect(!json.contains("13812341234") && !json.contains("110101199003071233"))
        await #expect(throws: GridbookError.notFound("person P9")) { try await database.person(id: "P9") }
    }

    @Test("short phone numbers keep at most a quarter at each end")
    func masking() {
        #expect(PersonalData.maskPhone("13812341234") == "138****1234")
        #expect(PersonalData.maskPhone("88886666") == "88****66")
        #expect(PersonalData.maskIDNumber("110101199003071233") == "110101********1233")
    }

    @Test("people under a unit are those with an active duty at or under it")
    func peopleUnder() async throws {
        let database = try await smallCountyDatabase()
        let seeds = try SeedDirectory([
            "people.csv": "id,name\nP3,离任\nP4,将到任\n",
            "duties.csv": "person_id,role,unit_code,since,until\nP3,grid_member,G3,2020-01-01,2021-01-01\nP4,grid_member,G3,2099-01-01,\n",
        ])
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        #expect(try await database.person(id: "P4").duties.map(\.active) == [false])
        #expect(try await database.people(under: "T2").map(\.id) == ["P2"])
        #expect(try await database.people().map(\.id) == ["P1", "P2", "P3", "P4"])
    }

    @Test("households under a grid with their schedule, phone masked, late registrations left out")
    func households() async throws {
        let database = try await smallCountyDatabase()
        let list = try await database.households(under: "G1", on: LocalDate("2026-06-30"))
        #expect(list.items.map { "\($0.code) \($0.phone ?? "-") \($0.tags) \($0.schedule?.dueOn.description ?? "-")" } == [
            "H1 139****1111 [] 2026-08-30", "H2 - [\"elderly\", \"hardship\"] 2026-06-30", "H3 - [\"elderly\"] 2026-06-29",
        ])
        #expect(try await database.households(under: "G3", on: LocalDate("2026-06-30")).items.map(\.code) == ["H7", "H8"])
    }

    @Test("one household with its schedule and latest visits first")
    func household() async throws {
        let database = try await smallCountyDatabase()
        let view = try await database.household(code: "H7", on: LocalDate("2026-06-30"))
        #expect(view.schedule?.lastMet == LocalDate("2026-03-01"))
        #expect(view.schedule?.overdueDays == 31)
        // Visits after the date are not shown as of it.
        #expect(view.recentVisits.map(\.visitedOn.description) == ["2026-03-01"])
        #expect(try await database.household(code: "H7", on: LocalDate("2026-07-01")).recentVisits.map(\.visitedOn.description) == ["2026-07-01", "2026-03-01"])
        #expect(try await database.household(code: "H6", on: LocalDate("2026-06-30")).schedule == nil)
        await #expect(throws: GridbookError.notFound("household H99")) { try await database.household(code: "H99") }
    }
}

@Suite("The time zone setting")
struct TimeZoneTests {
    @Test("changing the time zone moves visits near midnight to their new local date and keeps last-met dates")
    func change() async throws {
        let database = try await smallCountyDatabase()
        #expect(try await database.timeZoneIdentifier() == "Asia/Shanghai")
        // H8 was met at 2026-06-29T16:30Z: 2026-06-30 in Shanghai, 2026-06-29 in London (summer time, +01:00).
        try await database.setTimeZone("Europe/London")
        #expect(try await database.read { try Household.fetchOne($0, key: "H8")?.lastMetOn } == LocalDate("2026-06-29"))
        #expect(try await database.visits(under: "G3").items.map(\.visitedOn.description) == ["2026-03-01", "2026-06-29", "2026-06-30"])
        _ = try await database.logVisit(NewVisit(householdCode: "H7", visitorId: "P2", visitedAt: "2026-07-02T23:30:00Z", method: .door, outcome: .met), now: testNow)
        #expect(try await database.read { try Household.fetchOne($0, key: "H7")?.lastMetOn } == LocalDate("2026-07-03"))
        await #expect(throws: GridbookError.invalid(field: "time_zone", problem: "Mars/Olympus is not a time zone (for example Asia/Shanghai)")) {
            try await database.setTimeZone("Mars/Olympus")
        }
        await #expect(throws: GridbookError.invalid(field: "time_zone", problem: "CST is not a time zone (for example Asia/Shanghai)")) {
            try await database.setTimeZone("CST")
        }
        #expect(try await database.timeZoneIdentifier() == "Europe/London")
    }
}
