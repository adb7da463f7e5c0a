import Foundation
import GRDB

/// The part of a digest read inside its snapshot: the period, visits and coverage (one pass over
/// the unit's households by the schedule rule), overdue households by grid, cases, cards, first
/// responses, and the cases awaiting dispatch.
struct DigestReader {
    /// What it read.
    struct Part: Sendable {
        var on: LocalDate
        var from: LocalDate
        var to: LocalDate
        var triageFrom: LocalDate
        var triageTo: LocalDate
        var triageAsOf: String
        var visits: DigestVisits
        var coverage: DigestCoverage
        /// Without their grid members (read after).
        var overdueGrids: [DigestOverdueGrid]
        var cases: DigestCases
        var cards: DigestCards
        var firstResponse: DigestFirstResponse
        /// Without the late reviews (read after).
        var risks: DigestRisks
        /// Reports and cases awaiting dispatch with the instant each was reported, oldest first.
        var triage: [(Int, DigestTriageItem)]
    }

    let db: Database
    let unit: Unit
    let period: DigestPeriod
    let on: LocalDate
    let from: LocalDate
    let to: LocalDate
    let triageFrom: LocalDate
    let triageTo: LocalDate
    let nowSeconds: Int
    var local: LocalCalendar

    /// Works out the period read on `on` (default: today), refusing a day after today.
    init(_ db: Database, period: DigestPeriod, unit: Unit, on: LocalDate?, now: Date) throws {
        self.db = db
        self.unit = unit
        self.period = period
        local = try Settings.calendar(db)
        nowSeconds = Int(now.timeIntervalSince1970.rounded(.down))
        let today = local.localDate(epochSeconds: nowSeconds)
        let on = try DigestPeriod.readOn(on, today: today)
        self.on = on
        let work = try WorkCalendar.load(db)
        (from, to) = period.span(readOn: on, calendar: work)
        (triageFrom, triageTo) = DigestPeriod.triageSpan(readOn: on, calendar: work)
    }

    /// The instant a local date begins, as stored instants are written (UTC text, which sorts).
    func instant(_ date: LocalDate) -> String {
        Timestamp(epochSeconds: local.startOfDay(date)).text
    }

    /// Reads the digest's part.
    mutating func read() throws -> Part {
        let (visits, coverage, overdueGrids) = try households()
        let caseFigures = try cases()
        let riskFigures = try risks()
        let triage = (caseFigures.triage + riskFigures.triage).sorted { ($0.0, $0.1.id) < ($1.0, $1.1.id) }
        return Part(
            on: on, from: from, to: to, triageFrom: triageFrom, triageTo: triageTo, triageAsOf: caseFigures.asOf,
            visits: visits, coverage: coverage, overdueGrids: overdueGrids, cases: caseFigures.cases,
            cards: try cards(), firstResponse: caseFigures.firstResponse, risks: riskFigures.found, triage: triage
        )
    }

    // MARK: - Households

    /// Visits due and done, coverage at both ends, and overdue households by grid, each state by
    /// the schedule rule, in one pass over the households reading each one's last met visit as of
    /// the period's last day and as the period began (the day before it).
    func households() throws -> (DigestVisits, DigestCoverage, [DigestOverdueGrid]) {
        let before = from.adding(days: -1)
        var start = CoverageCounts()
        var end = CoverageCounts()
        var visits = DigestVisits()
        var grids: [String: (overdue: Int, longest: Int)] = [:]
        try Schedule.forEachInput(db, under: unit, asOf: to, earlier: before) { input, lastMetEarlier in
            let state = input.state(on: to)
            end.add(state)
            if state.isOverdue {
                let grid = grids[input.gridCode] ?? (0, 0)
                grids[input.gridCode] = (grid.overdue + 1, max(grid.longest, state.overdueDays))
            }
            let metDuring = state.lastMet.map { $0 >= from } ?? false
            if metDuring { visits.met += 1 }
            guard input.registeredOn <= before else { return }
            var began = input
            began.lastMet = lastMetEarlier
            let startState = began.state(on: before)
            start.add(startState)
            if startState.dueOn <= to {
                visits.due += 1
                if metDuring { visits.done += 1 }
            }
        }
        visits.doneRate = CoverageCounts.percentage(visits.done, of: visits.due)
        var names: [String: String] = [:]
        if !grids.isEmpty {
            for row in try SQLRequest<Row>(literal: """
                WITH RECURSIVE \(Hierarchy.subtreeCTE(of: unit))
                SELECT units.code, units.name FROM units JOIN subtree USING (code) WHERE units.level = 'grid'
                """).fetchAll(db) {
                names[row[0]] = row[1]
            }
        }
        let overdueGrids = grids.map { code, grid in
            DigestOverdueGrid(code: code, name: names[code] ?? code, overdue: grid.overdue, longestOverdueDays: grid.longest, gridMembers: [])
        }.sorted { ($1.overdue, $0.code) < ($0.overdue, $1.code) }
        let coverage = DigestCoverage(startAsOf: before, start: start, endAsOf: to, end: end,
                                      change: Self.change(from: start.coverage, to: end.coverage))
        return (visits, coverage, overdueGrids)
    }

    /// `to − from` in percentage points with one decimal; nil when either is nil.
    static func change(from start: Double?, to end: Double?) -> Double? {
        guard let start, let end else { return nil }
        return Double(Int((end * 10).rounded()) - Int((start * 10).rounded())) / 10
    }

    // MARK: - Cases

    /// Case figures of the period, first responses of its cases, and the triage days' cases not
    /// dispatched (nor started) by the end of the digest's day, or by now when that is to come.
    mutating func cases() throws -> (cases: DigestCases, firstResponse: DigestFirstResponse, triage: [(Int, DigestTriageItem)], asOf: String) {
        let periodStart = instant(from), periodEnd = instant(to.adding(days: 1))
        let triageStart = instant(triageFrom), triageEnd = instant(triageTo.adding(days: 1))
        let asOf = Timestamp(epochSeconds: min(nowSeconds, local.startOfDay(on.adding(days: 1)))).text
        // Only the cases the figures can count: accepted before the period ended and not
        // finished before it began, or accepted on the triage days.
        let cases: SQL = """
            unit_code IN \(Hierarchy.codesSQL(atOrUnder: unit))
            AND ((accepted_at < \(periodEnd) AND (finished_at IS NULL OR finished_at >= \(periodStart)))
                 OR (accepted_at >= \(triageStart) AND accepted_at < \(triageEnd)))
            """
        // Their ledgers, oldest first: only what the figures read of an entry (read as raw
        // rows, a few thousand of them in a county's month).
        var ledgers: [String: [LedgerEntry]] = [:]
        try RawRows.forEach(db, """
            SELECT case_id, at, action FROM case_ledger WHERE case_id IN (SELECT id FROM cases WHERE \(cases)) ORDER BY case_id, id
            """) { row in
            guard let caseId = row.text(0), let at = row.text(1), let action = row.text(2) else { return }
            ledgers[caseId, default: []].append(LedgerEntry(id: nil, caseId: caseId, at: at, actor: "", action: action, note: ""))
        }
        var figures = DigestCases()
        var times: [Int?] = []
        var triage: [(Int, DigestTriageItem)] = []
        for dispute in try DisputeCase.filter(literal: cases).order(Column("id")).fetchAll(db) {
            let ledger = ledgers[dispute.id] ?? []
            guard let accepted = Timestamp(dispute.acceptedAt) else { continue }
            let acceptedOn = local.localDate(of: accepted)
            func happened(_ action: CaseAction) -> Bool {
                ledger.contains { $0.action == action.rawValue && $0.at >= periodStart && $0.at < periodEnd }
            }
            if acceptedOn >= from, acceptedOn <= to {
                figures.accepted += 1
                times.append(dispute.firstResponseSeconds(ledger: ledger))
            }
            if happened(.dispatch) { figures.dispatched += 1 }
            if happened(.resolve) { figures.resolved += 1 }
            if happened(.fail) { figures.unresolved += 1 }
            // Overdue on the period's last day as the case stood then (finished since or not).
            if dispute.isOverdue(on: to, finishedThen: DisputeCase.wasFinished(ledger: ledger, before: periodEnd)) {
                figures.overdue.append(DigestCase(dispute))
            }
            let handled = ledger.contains { Supervision.takingUpActions.contains($0.action) && $0.at <= asOf }
            if acceptedOn >= triageFrom, acceptedOn <= triageTo, !handled {
                let reported = dispute.reportedAt.flatMap { Timestamp($0) } ?? accepted
                triage.append((reported.epochSeconds, DigestTriageItem(
                    kind: "case", id: dispute.id, title: dispute.title, unitCode: dispute.unitCode, category: dispute.category,
                    level: dispute.level.rawValue, source: dispute.source.rawValue, reportedAt: reported.text)))
            }
        }
        return (figures, DigestFirstResponse(times: times), triage, asOf)
    }

    // MARK: - Risks

    /// Risks reported in the period, by level and category, and the triage days' risks still open
    /// and not made a case (nobody has taken them into monitoring, settled them or promoted them);
    /// the late reviews come from the register's own filter.
    mutating func risks() throws -> (found: DigestRisks, triage: [(Int, DigestTriageItem)]) {
        var found = DigestRisks()
        found.byLevel = Dictionary(uniqueKeysWithValues: RiskLevel.allCases.map { ($0.rawValue, 0) })
        var triage: [(Int, DigestTriageItem)] = []
        let start = min(instant(from), instant(triageFrom)), end = max(instant(to.adding(days: 1)), instant(triageTo.adding(days: 1)))
        var rows: [(id: String, unit: String, category: String, level: String, status: String, title: String,
                    reportedAt: String, promoted: Bool, source: String)] = []
        try RawRows.forEach(db, """
            SELECT id, unit_code, category, level, status, title, reported_at, case_id IS NOT NULL, source FROM risks
            WHERE reported_at >= \(start) AND reported_at < \(end)
              AND \(Risk.atOrUnder(unit))
            """) { row in
            guard let id = row.text(0), let unit = row.text(1), let category = row.text(2), let level = row.text(3),
                  let status = row.text(4), let title = row.text(5), let reportedAt = row.text(6), let source = row.text(8) else { return }
            rows.append((id, unit, category, level, status, title, reportedAt, row.int(7) == 1, source))
        }
        for risk in rows {
            guard let reported = Timestamp(risk.reportedAt) else { continue }
            let day = local.localDate(of: reported)
            if day >= from, day <= to {
                found.found += 1
                found.byLevel[risk.level, default: 0] += 1
                found.byCategory[risk.category, default: 0] += 1
            }
            if day >= triageFrom, day <= triageTo, risk.status == RiskStatus.open.rawValue, !risk.promoted {
                triage.append((reported.epochSeconds, DigestTriageItem(
                    kind: "risk", id: risk.id, title: risk.title, unitCode: risk.unit, category: risk.category,
                    level: risk.level, source: risk.source, reportedAt: risk.reportedAt)))
            }
        }
        return (found, triage)
    }

    /// Cards given in the period to cases at or under the unit, by colour.
    func cards() throws -> DigestCards {
        var cards = DigestCards()
        let rows = try SQLRequest<Row>(literal: """
            SELECT color, COUNT(*) FROM case_cards
            WHERE given_at >= \(instant(from)) AND given_at < \(instant(to.adding(days: 1)))
              AND case_id IN (SELECT id FROM cases WHERE unit_code IN \(Hierarchy.codesSQL(atOrUnder: unit)))
            GROUP BY color
            """).fetchAll(db)
        for row in rows {
            switch CardColor(rawValue: row[0]) {
            case .yellow: cards.yellow = row[1]
            case .red: cards.red = row[1]
            case nil: break
            }
        }
        return cards
    }
}
