import Foundation
import GRDB

/// Counts for a set of cases.
public struct CaseCounts: Codable, Equatable, Sendable {
    public var accepted = 0
    /// Cases that reached `resolved`.
    public var resolved = 0
    /// Cases whose last finish was a failure.
    public var unresolved = 0

    /// No cases yet.
    public init() {}
}

/// One case as the report sees it: what happened to it, from its ledger.
public struct CaseOutcome: Sendable, Equatable {
    public var level: CaseLevel
    public var category: String
    /// Reached `resolved` at some point.
    public var reachedResolved: Bool
    /// The last finish was `fail`.
    public var lastFinishFailed: Bool
    /// The local date of the last finish (resolve or fail), if any.
    public var finishedOn: LocalDate?
    public var deadline: LocalDate
    public var satisfaction: Satisfaction?

    /// Describes one case's outcome.
    public init(level: CaseLevel, category: String, reachedResolved: Bool, lastFinishFailed: Bool, finishedOn: LocalDate?,
                deadline: LocalDate, satisfaction: Satisfaction?) {
        self.level = level
        self.category = category
        self.reachedResolved = reachedResolved
        self.lastFinishFailed = lastFinishFailed
        self.finishedOn = finishedOn
        self.deadline = deadline
        self.satisfaction = satisfaction
    }
}

/// The county's case figures for a unit and a period (SPEC section 3): accepted, resolved,
/// resolution, on-time and satisfaction rates, by level and category, and the overdue cases.
public struct CaseReport: Encodable, Equatable, Sendable {
    public var unit: UnitSummary
    public var from: LocalDate
    public var to: LocalDate
    public var total: CaseCounts
    /// Finished (resolved or unresolved) cases, and those finished by their deadline.
    public var finished: Int
    public var finishedOnTime: Int
    /// Cases followed up, and those satisfied or basically satisfied.
    public var followedUp: Int
    public var satisfied: Int
    /// resolved / accepted, a percentage with one decimal; null when nothing was accepted.
    public var resolutionRate: Double?
    /// finished on time / finished.
    public var onTimeRate: Double?
    /// (satisfied + basically satisfied) / followed up.
    public var satisfactionRate: Double?
    public var byLevel: [String: CaseCounts]
    public var byCategory: [String: CaseCounts]
    /// Accepted in the period, not finished and past their deadline on `to`.
    public var overdue: [DisputeCase]
    /// Supervision cards given in the period to cases under the unit (whenever they were accepted).
    public var cards: CardCounts

    /// The figures of a set of case outcomes: the rates of SPEC section 3, in one place.
    public static func figures(_ outcomes: [CaseOutcome]) -> (total: CaseCounts, finished: Int, onTime: Int, followedUp: Int, satisfied: Int,
                                                              byLevel: [String: CaseCounts], byCategory: [String: CaseCounts]) {
        var total = CaseCounts(), finished = 0, onTime = 0, followedUp = 0, satisfied = 0
        var byLevel: [String: CaseCounts] = [:], byCategory: [String: CaseCounts] = [:]
        for outcome in outcomes {
            func count(_ counts: inout CaseCounts) {
                counts.accepted += 1
                if outcome.reachedResolved { counts.resolved += 1 }
                if outcome.lastFinishFailed { counts.unresolved += 1 }
            }
            count(&total)
            count(&byLevel[outcome.level.rawValue, default: CaseCounts()])
            count(&byCategory[outcome.category, default: CaseCounts()])
            if let finishedOn = outcome.finishedOn {
                finished += 1
                if finishedOn <= outcome.deadline { onTime += 1 }
            }
            if let satisfaction = outcome.satisfaction {
                followedUp += 1
                if satisfaction != .dissatisfied { satisfied += 1 }
            }
        }
        return (total, finished, onTime, followedUp, satisfied, byLevel, byCategory)
    }
}

extension AppDatabase {
    /// The case report for cases accepted from `from` to `to` (local dates, both included) that
    /// arose at or under a unit (default: the county); overdue as of `to`, or today when `to` is later.
    public func caseReport(unitCode: String? = nil, from: LocalDate, to: LocalDate) async throws -> CaseReport {
        guard from <= to else { throw GridbookError.invalid(field: "from", problem: "\(from) is after to (\(to))") }
        let unit = try await unit(orCounty: unitCode)
        return try await readReport { db in
            var calendar = try Settings.calendar(db)
            var outcomes: [CaseOutcome] = []
            var overdue: [DisputeCase] = []
            // Overdue at the end of the period, or today when the period has not ended yet: a
            // deadline still to come is not passed.
            let overdueOn = min(to, calendar.today(now: clock.now()))
            // The cases under the unit with the entries that finished or reopened each, in two
            // queries (an association): its resolutions and failures, and whether it was finished
            // when the period ended.
            let flips = DisputeCase.ledger
                .filter((DisputeCase.finishingActions.union(DisputeCase.reopeningActions)).contains(Column("action")))
                .order(Column("id")).forKey("entries")
            let overdueEnd = Timestamp(epochSeconds: calendar.startOfDay(overdueOn.adding(days: 1))).text
            let request = DisputeCase
                .filter(literal: "unit_code IN \(Hierarchy.codesSQL(atOrUnder: unit))")
                .including(all: flips)
                .order(Column("id"))
            for item in try CaseWithEntries.fetchAll(db, request) {
                let dispute = item.dispute
                guard let accepted = Timestamp(dispute.acceptedAt).map({ calendar.localDate(of: $0) }), accepted >= from, accepted <= to else {
                    continue
                }
                let finishes = item.entries.filter { $0.action == "resolve" || $0.action == "fail" }
                let last = finishes.last
                outcomes.append(CaseOutcome(
                    level: dispute.level, category: dispute.category,
                    reachedResolved: finishes.contains { $0.action == "resolve" },
                    lastFinishFailed: last?.action == "fail",
                    finishedOn: last.flatMap { Timestamp($0.at) }.map { calendar.localDate(of: $0) },
                    deadline: dispute.deadline, satisfaction: dispute.satisfaction
                ))
                if dispute.isOverdue(on: overdueOn, finishedThen: DisputeCase.wasFinished(ledger: item.entries, before: overdueEnd)) {
                    overdue.append(dispute)
                }
            }
            let figures = CaseReport.figures(outcomes)
            var cards = CardCounts()
            let given: SQLRequest<CaseCard> = """
                SELECT * FROM case_cards WHERE case_id IN (SELECT id FROM cases WHERE unit_code IN \(Hierarchy.codesSQL(atOrUnder: unit)))
                """
            for card in try given.fetchAll(db) {
                guard let at = Timestamp(card.givenAt).map({ calendar.localDate(of: $0) }), at >= from, at <= to else { continue }
                cards.add(card.color)
            }
            return CaseReport(
                unit: UnitSummary(unit), from: from, to: to, total: figures.total, finished: figures.finished,
                finishedOnTime: figures.onTime, followedUp: figures.followedUp, satisfied: figures.satisfied,
                resolutionRate: CoverageCounts.percentage(figures.total.resolved, of: figures.total.accepted),
                onTimeRate: CoverageCounts.percentage(figures.onTime, of: figures.finished),
                satisfactionRate: CoverageCounts.percentage(figures.satisfied, of: figures.followedUp),
                byLevel: figures.byLevel, byCategory: figures.byCategory, overdue: overdue, cards: cards
            )
        }
    }
}

/// A case with some of its ledger entries (under the key `entries`), oldest first: the entries
/// that finished or reopened it for the case report, its `respond` entries for the first response.
struct CaseWithEntries: Decodable, GridbookRecord {
    var dispute: DisputeCase
    var entries: [LedgerEntry]
}
