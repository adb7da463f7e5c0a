import Foundation
import GRDB

/// A supervision card (督办): yellow for a case slipping, red for one past its deadline.
public enum CardColor: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible, Comparable {
    case yellow, red

    public static func < (lhs: CardColor, rhs: CardColor) -> Bool { lhs == .yellow && rhs == .red }
}

/// Cards by colour.
public struct CardCounts: Codable, Equatable, Sendable {
    public var yellow = 0
    public var red = 0

    public init() {}

    /// Counts one more card of a colour.
    public mutating func add(_ color: CardColor) {
        switch color {
        case .yellow: yellow += 1
        case .red: red += 1
        }
    }
}

/// A card a case has earned, and why.
public struct EarnedCard: Equatable, Sendable {
    public var color: CardColor
    public var reason: String
}

/// A card given to a case, as stored (`case_cards`) once per case and colour.
public struct CaseCard: Codable, Equatable, Sendable {
    public var caseId: String
    public var color: CardColor
    /// ISO 8601 UTC.
    public var givenAt: String
    public var reason: String

    /// A card given.
    public init(caseId: String, color: CardColor, givenAt: String, reason: String) {
        self.caseId = caseId
        self.color = color
        self.givenAt = givenAt
        self.reason = reason
    }
}

extension CaseCard: GridbookRecord, PersistableRecord {
    public static let databaseTableName = "case_cards"

    /// The table's columns.
    public enum Columns {
        public static let caseId = Column("case_id")
        public static let color = Column("color")
        public static let givenAt = Column("given_at")
    }
}

/// How a case's time limits are counted: in calendar days (SPEC section 3, the default) or in
/// the county's working days (`gridbook settings case-deadlines working_days`).
public struct DeadlinePolicy: Sendable, Equatable {
    public var calendar: WorkCalendar
    public var inWorkingDays: Bool

    /// A policy over a work calendar.
    public init(calendar: WorkCalendar = WorkCalendar(), inWorkingDays: Bool = false) {
        self.calendar = calendar
        self.inWorkingDays = inWorkingDays
    }

    /// The deadline `days` from `date`, in the policy's days.
    public func deadline(from date: LocalDate, days: Int) -> LocalDate {
        inWorkingDays ? calendar.adding(workingDays: days, to: date) : date.adding(days: days)
    }

    /// The days of a limit that have passed from `start` to `date`, and the limit's length, in
    /// the policy's days.
    func elapsed(from start: LocalDate, to date: LocalDate, deadline: LocalDate) -> (passed: Int, limit: Int) {
        if inWorkingDays {
            return (calendar.workingDays(after: start, through: date), calendar.workingDays(after: start, through: deadline))
        }
        return (date.dayNumber - start.dayNumber, deadline.dayNumber - start.dayNumber)
    }

    /// The county's policy as stored.
    public static func load(_ db: Database) throws -> DeadlinePolicy {
        let setting = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM settings WHERE key = 'case_deadlines'"))
        return DeadlinePolicy(calendar: try WorkCalendar.load(db), inWorkingDays: setting == "working_days")
    }
}

/// The supervision rule (督办), written once: which cards a case has earned on a day.
public enum Supervision {
    /// The ledger's actions that take a case up: dispatched, or started by whoever accepted it.
    public static let takingUpActions = [CaseAction.dispatch.rawValue, CaseAction.start.rawValue]

    /// The cards `dispute`, accepted on the local date `acceptedOn`, has earned on `today`;
    /// `takenUp` is whether its ledger holds a dispatch or a start (``takingUpActions``) at all (an
    /// escalation takes the assignee away again, but the case was dispatched):
    /// - yellow when it was not dispatched by the end of the first working day after acceptance,
    ///   or when it is unfinished and 80 % of its time limit (acceptance to deadline, in the
    ///   policy's days) has passed;
    /// - red when it is past its deadline and unfinished (``DisputeCase/isOverdue(on:)``).
    /// A finished case earns none; a red case has always earned its yellow too.
    public static func cards(for dispute: DisputeCase, acceptedOn: LocalDate, takenUp: Bool, today: LocalDate,
                             policy: DeadlinePolicy) -> [EarnedCard] {
        guard !dispute.status.isFinished else { return [] }
        var cards: [EarnedCard] = []
        let dispatchBy = policy.calendar.adding(workingDays: 1, to: acceptedOn)
        let (passed, limit) = policy.elapsed(from: acceptedOn, to: today, deadline: dispute.deadline)
        if !takenUp, today > dispatchBy {
            cards.append(EarnedCard(color: .yellow, reason: "not dispatched by \(dispatchBy), the first working day after acceptance"))
        } else if passed * 5 >= limit * 4 {
            let unit = policy.inWorkingDays ? "working days" : "days"
            cards.append(EarnedCard(color: .yellow, reason: "\(passed) of its \(limit) \(unit) have passed and it is not finished"))
        }
        if dispute.isOverdue(on: today) {
            cards.append(EarnedCard(color: .red, reason: "past its deadline \(dispute.deadline) and not finished"))
        }
        return cards
    }
}

extension AppDatabase {
    /// Gives every unfinished case the cards it has earned (``Supervision/cards(for:acceptedOn:today:policy:)``)
    /// and not yet been given, each once: stored in `case_cards`, written in the case's ledger
    /// (`supervise`), the audit log and the feed (`case.supervised`), all in one transaction.
    /// Run by `gridbook serve` as it runs and by `gridbook supervise`; running it again gives nothing.
    @discardableResult
    public func supervise(now: Date? = nil, by actor: Actor = .system) async throws -> [CaseCard] {
        let now = now ?? clock.now()
        return try await write { db in
            var calendar = try Settings.calendar(db)
            let seconds = Int(now.timeIntervalSince1970)
            let today = calendar.localDate(epochSeconds: seconds)
            let policy = try DeadlinePolicy.load(db)
            let open = try DisputeCase.filter(sql: "status IN ('accepted', 'assigned', 'in_progress')").order(Column("id")).fetchAll(db)
            var given = Set(try CaseCard.filter(sql: """
                case_id IN (SELECT id FROM cases WHERE status IN ('accepted', 'assigned', 'in_progress'))
                """).fetchAll(db).map { "\($0.caseId) \($0.color.rawValue)" })
            let takenUp = Set(try String.fetchAll(db, sql: """
                SELECT DISTINCT case_id FROM case_ledger WHERE action IN (\(Supervision.takingUpActions.map { "'\($0)'" }.joined(separator: ", ")))
                  AND case_id IN (SELECT id FROM cases WHERE status IN ('accepted', 'assigned', 'in_progress'))
                """))
            var cards: [CaseCard] = []
            let at = Timestamp(epochSeconds: seconds).text
            for dispute in open {
                guard let accepted = Timestamp(dispute.acceptedAt) else { continue }
                for earned in Supervision.cards(for: dispute, acceptedOn: calendar.localDate(of: accepted), takenUp: takenUp.contains(dispute.id),
                                                today: today, policy: policy)
                where given.insert("\(dispute.id) \(earned.color.rawValue)").inserted {
                    let card = CaseCard(caseId: dispute.id, color: earned.color, givenAt: at, reason: earned.reason)
                    try card.insert(db)
                    let note = "\(earned.color.rawValue) card: \(earned.reason)"
                    try Cases.ledger(db, dispute.id, actor, "supervise", note, now: now)
                    try Audit.record(db, actor, "case.supervise", "case", dispute.id, detail: note, at: now)
                    try Audit.event(db, "case.supervised", dispute.id, card, at: now)
                    cards.append(card)
                }
            }
            return cards
        }
    }

    /// The cards given to a case, yellow first.
    public func cards(ofCase id: String) async throws -> [CaseCard] {
        try await read { db in try CaseCard.filter(CaseCard.Columns.caseId == id).order(sql: "color = 'red', given_at").fetchAll(db) }
    }
}

extension AppDatabase {
    /// Whether case time limits count working days (`true`) or calendar days, as the county set it.
    public func caseDeadlinesInWorkingDays() async throws -> Bool {
        try await read { db in try DeadlinePolicy.load(db).inWorkingDays }
    }

    /// Sets how case time limits by level are counted from now on (deadlines already set stay),
    /// audited.
    public func setCaseDeadlines(inWorkingDays: Bool, by actor: Actor = .system) async throws {
        let now = clock.now()
        try await write { db in
            let value = inWorkingDays ? "working_days" : "calendar"
            try db.execute(sql: "INSERT INTO settings (key, value) VALUES ('case_deadlines', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [value])
            try Audit.record(db, actor, "settings.case_deadlines", "settings", "case_deadlines", detail: value, at: now)
        }
    }
}
