import GRDB

/// The daily, weekly or monthly digest of a unit (issue 15): what the township and county
/// centres go through at their morning meeting, weekly review and monthly dispatch. Every
/// figure comes from the rule that defines it elsewhere: coverage from the schedule rule
/// (``Schedule``, counted as ``CoverageCounts``), overdue cases from ``DisputeCase/isOverdue(on:)``,
/// first responses from ``DisputeCase/firstResponseSeconds(ledger:)``, reviews from the risk
/// register's filter, gaps from ``AppDatabase/pairingReport(unitCode:on:)``.
public struct Digest: Encodable, Equatable, Sendable {
    public var period: DigestPeriod
    public var unit: UnitSummary
    /// The day the digest is read (default today); the period ends before it.
    public var on: LocalDate
    /// The period's first and last days (``DigestPeriod/span(readOn:calendar:)``).
    public var from: LocalDate
    public var to: LocalDate
    public var visits: DigestVisits
    public var coverage: DigestCoverage
    /// Grids with households overdue on the period's last day, the most first.
    public var overdueByGrid: [DigestOverdueGrid]
    public var risks: DigestRisks
    public var cases: DigestCases
    public var cards: DigestCards
    public var firstResponse: DigestFirstResponse
    /// Pairing gaps on the period's last day.
    public var pairing: DigestPairing
    public var triage: DigestTriage
}

/// Visits done against visits due in the period.
public struct DigestVisits: Encodable, Equatable, Sendable {
    /// Households registered before the period whose due date, as the period began, fell on or
    /// before its last day: already overdue, or coming due during it.
    public var due = 0
    /// Of those, the households met during the period.
    public var done = 0
    /// done / due, a percentage with one decimal; null when nothing was due.
    public var doneRate: Double?
    /// Households met during the period, due or not.
    public var met = 0
}

/// Coverage when the period began (as of the day before it) and when it ended (as of its last
/// day), counted by the schedule rule exactly as ``AppDatabase/coverageReport(unitCode:asOf:)``.
public struct DigestCoverage: Encodable, Equatable, Sendable {
    public var startAsOf: LocalDate
    public var start: CoverageCounts
    public var endAsOf: LocalDate
    public var end: CoverageCounts
    /// end − start, in percentage points with one decimal; null when either has no households.
    public var change: Double?
}

/// A grid with overdue households and the grid members on duty in it.
public struct DigestOverdueGrid: Encodable, Equatable, Sendable {
    public var code: String
    public var name: String
    public var overdue: Int
    /// The most days any of its households is overdue.
    public var longestOverdueDays: Int
    /// Names of the grid members on duty on the period's last day; empty when none is.
    public var gridMembers: [String]
}

/// A risk as a digest lists it.
public struct DigestRisk: Encodable, Equatable, Sendable {
    public var id: String
    public var unitCode: String
    public var category: String
    public var level: RiskLevel
    public var status: RiskStatus
    public var title: String
    /// ISO 8601 UTC.
    public var reportedAt: String
    public var reviewDue: LocalDate

    public init(id: String, unitCode: String, category: String, level: RiskLevel, status: RiskStatus, title: String,
                reportedAt: String, reviewDue: LocalDate) {
        self.id = id
        self.unitCode = unitCode
        self.category = category
        self.level = level
        self.status = status
        self.title = title
        self.reportedAt = reportedAt
        self.reviewDue = reviewDue
    }
}

/// Risks found in the period, and those not reviewed on time.
public struct DigestRisks: Encodable, Equatable, Sendable {
    /// Risks reported in the period.
    public var found = 0
    /// Found in the period by level (every level present) and by issue category code.
    public var byLevel: [String: Int] = [:]
    public var byCategory: [String: Int] = [:]
    /// Open or monitored risks whose review fell due on or before the period's last day and has
    /// not been made (the register's `review_overdue` as of the day after it), most urgent first.
    public var notReviewedOnTime: [DigestRisk] = []
}

/// A case as a digest lists it.
public struct DigestCase: Encodable, Equatable, Sendable {
    public var id: String
    public var title: String
    public var unitCode: String
    public var category: String
    public var level: CaseLevel
    public var status: CaseStatus
    public var assignee: String?
    public var deadline: LocalDate

    /// The digest's view of a case.
    public init(_ dispute: DisputeCase) {
        id = dispute.id
        title = dispute.title
        unitCode = dispute.unitCode
        category = dispute.category
        level = dispute.level
        status = dispute.status
        assignee = dispute.assignee
        deadline = dispute.deadline
    }
}

/// What happened to cases in the period.
public struct DigestCases: Encodable, Equatable, Sendable {
    /// Cases accepted in the period.
    public var accepted = 0
    /// Cases with a `dispatch` in the period, with a `resolve`, with a `fail`.
    public var dispatched = 0
    public var resolved = 0
    public var unresolved = 0
    /// Unfinished and past their deadline on the period's last day, whenever accepted, by id.
    public var overdue: [DigestCase] = []
}

/// Supervision cards given in the period (``CaseCard``, by the day they were given).
public struct DigestCards: Encodable, Equatable, Sendable {
    public var yellow = 0
    public var red = 0
}

/// First-response times of the cases accepted in the period.
public struct DigestFirstResponse: Encodable, Equatable, Sendable {
    /// Cases accepted in the period, and those of them responded to.
    public var cases = 0
    public var responded = 0
    /// The median and 90th percentile of the responded cases' times, in seconds (nearest rank:
    /// the ⌈p·n⌉-th shortest); null when none was responded to.
    public var medianSeconds: Int?
    public var p90Seconds: Int?
    /// The share of the period's cases first responded to within 15 minutes, 1 hour, 24 hours
    /// (a case not responded to counts against), percentages with one decimal; null without cases.
    public var within15Minutes: Double?
    public var within1Hour: Double?
    public var within24Hours: Double?

    /// The figures of the first-response times (seconds) of `cases` cases, nil for those not
    /// responded to.
    public init(times: [Int?]) {
        cases = times.count
        let sorted = times.compactMap { $0 }.sorted()
        responded = sorted.count
        func nearestRank(_ percent: Int) -> Int? {
            guard !sorted.isEmpty else { return nil }
            return sorted[(percent * sorted.count + 99) / 100 - 1]
        }
        medianSeconds = nearestRank(50)
        p90Seconds = nearestRank(90)
        func share(_ seconds: Int) -> Double? {
            CoverageCounts.percentage(sorted.filter { $0 <= seconds }.count, of: cases)
        }
        within15Minutes = share(15 * 60)
        within1Hour = share(3600)
        within24Hours = share(24 * 3600)
    }
}

/// Where the hierarchy lacks people on duty (the pairing report's lists).
public struct DigestPairing: Encodable, Equatable, Sendable {
    public var gridsWithoutGridMember: [UnitRef]
    public var gridsWithoutPolice: [UnitRef]
    public var gridsWithoutPartyGroup: [UnitRef]
    public var villagesWithoutAuxiliaryPolice: [UnitRef]
    public var blocksWithoutHead: [UnitRef]

    /// The gaps of a pairing report.
    public init(_ report: PairingReport) {
        gridsWithoutGridMember = report.gridsWithoutGridMember
        gridsWithoutPolice = report.gridsWithoutPolice
        gridsWithoutPartyGroup = report.gridsWithoutPartyGroup
        villagesWithoutAuxiliaryPolice = report.villagesWithoutAuxiliaryPolice
        blocksWithoutHead = report.blocksWithoutHead
    }

    /// Every gap, counted.
    public var count: Int {
        gridsWithoutGridMember.count + gridsWithoutPolice.count + gridsWithoutPartyGroup.count
            + villagesWithoutAuxiliaryPolice.count + blocksWithoutHead.count
    }
}

/// The morning's triage list (梳理前一日……分类派单).
public struct DigestTriage: Encodable, Equatable, Sendable {
    /// The days whose reports and cases it lists: the last working day before the digest's day,
    /// and any days off after it (``DigestPeriod/triageSpan(readOn:calendar:)``).
    public var from: LocalDate
    public var to: LocalDate
    /// Not dispatched by this instant (ISO 8601 UTC): the end of the digest's day, or now when
    /// that is still to come.
    public var asOf: String
    /// Oldest first (by when reported, then id).
    public var items: [DigestTriageItem]
}

/// A report or case awaiting dispatch.
public struct DigestTriageItem: Encodable, Equatable, Sendable {
    /// `risk` or `case`.
    public var kind: String
    public var id: String
    public var title: String
    public var unitCode: String
    /// An issue category code.
    public var category: String
    /// A risk's level (red…blue) or a case's (village, township, county).
    public var level: String
    /// A risk's or case's source.
    public var source: String
    /// When it was reported (a case: by the resident, else accepted), ISO 8601 UTC.
    public var reportedAt: String
}

extension AppDatabase {
    /// The digest of a unit (default: the county) for the period read on `on` (default: today; not
    /// after today). Reads only.
    public func digest(_ period: DigestPeriod, unitCode: String? = nil, on: LocalDate? = nil) async throws -> Digest {
        let unit = try await unit(orCounty: unitCode)
        let now = clock.now()
        // One snapshot for every figure.
        return try await readReport { db in
            var reader = try DigestReader(db, period: period, unit: unit, on: on, now: now)
            let part = try reader.read()
            // The register's own filter, the pairing report and the due list's grid members, each
            // the one place its rule is written.
            var risks = part.risks
            risks.notReviewedOnTime = try digestRisks(db, RiskFilter(unitCode: unit.code, reviewOverdue: true),
                                                      today: part.to.adding(days: 1))
            let pairing = try PairingReport.read(db, under: unit, on: part.to)
            let members = try Self.gridMembers(db, of: part.overdueGrids.map(\.code), on: part.to)
            return Digest(
                period: period, unit: UnitSummary(unit), on: part.on, from: part.from, to: part.to,
                visits: part.visits, coverage: part.coverage,
                overdueByGrid: part.overdueGrids.map { grid in
                    var grid = grid
                    grid.gridMembers = members[grid.code] ?? []
                    return grid
                },
                risks: risks, cases: part.cases, cards: part.cards, firstResponse: part.firstResponse,
                pairing: DigestPairing(pairing),
                triage: DigestTriage(from: part.triageFrom, to: part.triageTo, asOf: part.triageAsOf, items: part.triage.map(\.1))
            )
        }
    }
}
