import Foundation
import GridbookAPI
import GridbookCore
import Hummingbird
import HummingbirdTesting
import Testing

/// The ranking of units (issue 15): figures, the one score rule, shared ranks, scope.
@Suite("Ranking units")
struct UnitRankingTests {
    @Test("the score rule: full marks, each rate's weight, response bands, cards")
    func score() {
        func score(_ coverage: Double?, _ onTime: Double?, _ satisfied: Double?, _ yellow: Int, _ red: Int, _ response: Int?) -> Double {
            var cards = CardCounts()
            cards.yellow = yellow
            cards.red = red
            return UnitRanking.score(coverage: coverage, onTimeRate: onTime, satisfactionRate: satisfied, cards: cards,
                                     firstResponseMedianSeconds: response)
        }
        #expect(score(nil, nil, nil, 0, 0, nil) == 100)
        #expect(score(90, 50, 80, 0, 0, 900) == 45 + 10 + 8 + 20)
        #expect(score(90, 50, 80, 0, 0, 901) == 45 + 10 + 8 + 15)
        #expect(score(90, 50, 80, 0, 0, 3601) == 45 + 10 + 8 + 10)
        #expect(score(90, 50, 80, 0, 0, 86_401) == 45 + 10 + 8)
        #expect(score(90, 50, 80, 2, 1, 86_401) == 45 + 10 + 8 - 2 - 3)
        #expect(score(33.3, nil, nil, 0, 0, nil) == 66.7)
    }

    @Test("November's townships: coverage, cards, first response, score and rank; villages of a township; 400 below")
    func ranking() async throws {
        let (database, tokens) = try await apiDatabase()
        // T2's one household met in November; T1's two never.
        _ = try await database.logVisit(NewVisit(householdCode: "H2", visitorId: "P2", visitedAt: "2026-11-20T10:00:00+08:00",
                                                 method: .door, outcome: .met), by: .person("P2"))
        // A T1 case accepted Tuesday 10 November, answered on site ten minutes later, never
        // dispatched: yellow and red by the 25th.
        let tenth = Date(timeIntervalSince1970: 1_794_268_800) // 2026-11-10T00:00:00Z
        let dispute = try await database.fileCase(NewCase(title: "排水", category: "neighbour", unitCode: "V1", source: .chatGroup),
                                                  by: .person("P3"), now: tenth)
        _ = try await database.act(onCase: dispute.id, CaseActionInput(.respond, note: "村干部到场"), by: .person("P3"),
                                   now: tenth.addingTimeInterval(600))
        #expect(try await database.supervise(now: tenth.addingTimeInterval(15 * 86_400)).count == 2)

        let ranking = try await database.unitRanking(period: .month, on: LocalDate("2026-12-01"))
        #expect("\(ranking.from) \(ranking.to) \(ranking.period)" == "2026-11-01 2026-11-30 month")
        #expect(ranking.rows.map { "\($0.rank) \($0.code) \($0.score)" } == ["1 T2 100.0", "2 T1 46.0"])
        let t1 = try #require(ranking.rows.last)
        #expect(t1.coverage == 0 && t1.onTimeRate == nil && t1.firstResponseMedianSeconds == 600)
        #expect(t1.cards == { var cards = CardCounts(); cards.yellow = 1; cards.red = 1; return cards }())
        // October has nothing in it: every unit scores in full, and the equal scores share rank 1.
        let october = try await database.unitRanking(period: .month, on: LocalDate("2026-11-01"))
        #expect(october.rows.map { "\($0.rank) \($0.code) \($0.score)" } == ["1 T1 50.0", "1 T2 50.0"])
        #expect(try await database.unitRanking(unitCode: "T1", period: .week, on: LocalDate("2026-11-16")).rows.map(\.code) == ["V1"])
        await #expect(throws: GridbookError.invalid(field: "unit", problem: "G1 is a grid; rank the townships of the county or the villages of a township")) {
            try await database.unitRanking(unitCode: "G1", period: .month)
        }

        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let reply = try await client.call(.get, "/api/v1/reports/units?unit=C&period=month&on=2026-12-01", tokens["P9"]!)
            #expect(reply.status == .ok)
            #expect(((reply["rows"] as? [[String: Any]]) ?? []).map { "\($0["rank"] ?? "") \($0["code"] ?? "")" } == ["1 T2", "2 T1"])
            #expect(try await client.call(.get, "/api/v1/reports/units?unit=C&period=year", tokens["P9"]!).errorField == "period")
            #expect(try await client.call(.get, "/api/v1/reports/units?unit=C", tokens["P9"]!).errorField == "period")
            #expect(try await client.call(.get, "/api/v1/reports/units?unit=C&period=month", tokens["P3"]!).status == .forbidden)
        }
    }
}
