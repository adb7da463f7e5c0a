import Foundation
import GRDB

/// The periods units are ranked over: a week or a month, taken as the digests take them.
public enum RankingPeriod: String, Codable, Sendable, CaseIterable {
    case week, month

    /// The digest period of the same length.
    var digest: DigestPeriod { self == .week ? .weekly : .monthly }
}

/// One unit's line in a ranking: its figures for the period, its score and its rank.
public struct UnitRankingRow: Encodable, Equatable, Sendable {
    public var code: String
    public var name: String
    public var level: String
    /// Visit coverage on the period's last day, a percentage (the one coverage rule).
    public var coverage: Double?
    /// Of the cases accepted in the period and finished, those finished by their deadline (the case report's rate).
    public var onTimeRate: Double?
    /// Of those followed up, the satisfied and basically satisfied (the case report's rate).
    public var satisfactionRate: Double?
    /// Cards given in the period.
    public var cards: CardCounts
    /// The median first response of the cases accepted in the period that have one, in seconds.
    public var firstResponseMedianSeconds: Int?
    /// ``UnitRanking/score(coverage:onTimeRate:satisfactionRate:cards:firstResponseMedianSeconds:)``.
    public var score: Double
    /// 1 for the highest score; equal scores share a rank (1, 2, 2, 4).
    public var rank: Int
}

/// Units ranked for a period (`gridbook report units`, `GET /api/v1/reports/units`): the units
/// one level under `unit` (the townships of the county, the villages of a township).
public struct UnitRanking: Encodable, Equatable, Sendable {
    public var unit: UnitSummary
    public var period: String
    public var from: LocalDate
    public var to: LocalDate
    /// The rule, in words, as the README states it.
    public var rule: String
    public var rows: [UnitRankingRow]

    /// The rule of the rank, in words.
    public static let ruleText = """
        score = 0.5 × coverage + 0.2 × on-time rate + 0.1 × satisfaction rate + response points \
        (20 for a median first response within 15 minutes, 15 within 1 hour, 10 within 24 hours, \
        else 0) − 1 per yellow card − 3 per red card; a rate with nothing to measure counts in full; \
        rank by score, highest first, equal scores sharing a rank
        """

    /// A unit's score, out of 100 before cards: the one ranking rule (``ruleText``).
    public static func score(coverage: Double?, onTimeRate: Double?, satisfactionRate: Double?, cards: CardCounts,
                             firstResponseMedianSeconds: Int?) -> Double {
        let response: Double = switch firstResponseMedianSeconds {
        case nil: 20
        case let seconds? where seconds <= 15 * 60: 20
        case let seconds? where seconds <= 3600: 15
        case let seconds? where seconds <= 86_400: 10
        default: 0
        }
        let points = 0.5 * (coverage ?? 100) + 0.2 * (onTimeRate ?? 100) + 0.1 * (satisfactionRate ?? 100) + response
            - Double(cards.yellow) - 3 * Double(cards.red)
        return (points * 10).rounded() / 10
    }

    /// Ranks rows by score, highest first (then by code), equal scores sharing a rank.
    static func ranked(_ rows: [UnitRankingRow]) -> [UnitRankingRow] {
        let sorted = rows.sorted { ($0.score, $1.code) > ($1.score, $0.code) }
        var ranked: [UnitRankingRow] = []
        for (index, row) in sorted.enumerated() {
            var row = row
            row.rank = index > 0 && ranked[index - 1].score == row.score ? ranked[index - 1].rank : index + 1
            ranked.append(row)
        }
        return ranked
    }
}

extension AppDatabase {
    /// The units under `unitCode` (default the county) ranked for the week or month read on
    /// `on` (default today), the period as the digests take it (``DigestPeriod/span(readOn:calendar:)``).
    public func unitRanking(unitCode: String? = nil, period: RankingPeriod, on: LocalDate? = nil) async throws -> UnitRanking {
        let unit = try await unit(orCounty: unitCode)
        guard let childLevel = unit.level.child, unit.level == .county || unit.level == .township else {
            throw GridbookError.invalid(field: "unit", problem: "\(unit.code) is a \(unit.level.rawValue); rank the townships of the county or the villages of a township")
        }
        let today = try await self.today()
        let (from, to) = period.digest.span(readOn: try DigestPeriod.readOn(on, today: today), calendar: try await workCalendar())
        let coverage = try await coverageReport(unitCode: unit.code, asOf: to)
        var rows: [UnitRankingRow] = []
        for child in coverage.rows where child.level == childLevel.rawValue {
            let cases = try await caseReport(unitCode: child.code, from: from, to: to)
            let median = try await firstResponseMedian(under: child.code, from: from, to: to)
            let score = UnitRanking.score(coverage: child.counts.coverage, onTimeRate: cases.onTimeRate,
                                          satisfactionRate: cases.satisfactionRate, cards: cases.cards, firstResponseMedianSeconds: median)
            rows.append(UnitRankingRow(code: child.code, name: child.name, level: child.level, coverage: child.counts.coverage,
                                       onTimeRate: cases.onTimeRate, satisfactionRate: cases.satisfactionRate, cards: cases.cards,
                                       firstResponseMedianSeconds: median, score: score, rank: 0))
        }
        return UnitRanking(unit: UnitSummary(unit), period: period.rawValue, from: from, to: to, rule: UnitRanking.ruleText,
                           rows: UnitRanking.ranked(rows))
    }

    /// The median first response (``DisputeCase/firstResponseSeconds(ledger:)``) of the cases
    /// accepted from `from` to `to` under a unit that have one, as the digest takes it
    /// (``DigestFirstResponse``: nearest rank); nil when none has.
    func firstResponseMedian(under unitCode: String, from: LocalDate, to: LocalDate) async throws -> Int? {
        try await readReport { db in
            var calendar = try Settings.calendar(db)
            let responds = DisputeCase.ledger.filter(Column("action") == CaseAction.respond.rawValue).order(Column("id")).forKey("entries")
            let request = DisputeCase
                .filter(literal: "unit_code IN \(try Hierarchy.codesSQL(atOrUnder: unitCode, db))")
                .filter(Column("accepted_at") >= Timestamp(epochSeconds: calendar.startOfDay(from)).text)
                .including(all: responds)
            let times = try CaseWithEntries.fetchAll(db, request).compactMap { item -> Int?? in
                guard let accepted = Timestamp(item.dispute.acceptedAt).map({ calendar.localDate(of: $0) }), accepted <= to else { return nil }
                return .some(item.dispute.firstResponseSeconds(ledger: item.entries))
            }
            return DigestFirstResponse(times: times).medianSeconds
        }
    }
}
