/// Checked rows of visits.csv and the problems found among them.
struct VisitBatch: Sendable {
    /// The good rows: id, household_code, visitor_id, visited_at, visited_on, method, outcome, note.
    var rows = EncodedRows(width: VisitReader.columns.count)
    var problems: [ImportProblem] = []
    /// Rows read, good or bad.
    var rowCount = 0
    /// More problems were found than the import may report.
    var truncated = false
}

/// Reads visits.csv and checks every row against the households and people known, away from
/// the database: the importer runs it on another thread while it writes the rows already checked.
struct VisitReader: Sendable {
    /// The columns of the visits table, in the order each row's values come.
    static let columns = ["id", "household_code", "visitor_id", "visited_at", "visited_on", "method", "outcome", "note"]

    /// Visits before 1970 are typing mistakes.
    static let earliestAllowed = 0

    private var file: SeedFile
    private let households: Set<String>
    private let people: Set<String>
    private var calendar: LocalCalendar
    private let latestAllowed: Int
    private var problemBudget: Int
    private let progress: (@Sendable (String, Double) -> Void)?
    private var seen: [UUIDKey: Int] = [:]
    private let columns: (id: Int?, household: Int?, visitor: Int?, time: Int?, method: Int?, outcome: Int?, note: Int?)
    private var rowsRead = 0

    init(file: SeedFile, households: Set<String>, people: Set<String>, calendar: LocalCalendar, latestAllowed: Int,
         problemBudget: Int, progress: (@Sendable (String, Double) -> Void)?) {
        self.file = file
        self.households = households
        self.people = people
        self.calendar = calendar
        self.latestAllowed = latestAllowed
        self.problemBudget = problemBudget
        self.progress = progress
        // Column positions are looked up once: the row loop runs millions of times.
        columns = (file.position("id"), file.position("household_code"), file.position("visitor_id"),
                   file.position("visited_at"), file.position("method"), file.position("outcome"), file.position("note"))
        seen.reserveCapacity(file.estimatedRows(bytesPerRow: 100))
    }

    /// The next `size` rows checked, or nil at the end of the file (or once the problem budget is spent).
    mutating func nextBatch(size: Int) -> VisitBatch? {
        guard problemBudget > 0 || rowsRead == 0 else { return nil }
        var batch = VisitBatch()
        batch.rows = EncodedRows(width: Self.columns.count, capacity: size)
        while batch.rowCount < size {
            var fileProblems: [ImportProblem] = []
            let more = file.nextRow { fileProblems.append($0) }
            fileProblems.forEach { report($0, in: &batch) }
            guard more, problemBudget > 0 else {
                if more { batch.truncated = true }
                break
            }
            batch.rowCount += 1
            rowsRead += 1
            if rowsRead % 16_384 == 0 { progress?(file.name.rawValue, file.progress) }
            if let row = checkRow(&batch) { batch.rows.append(row) }
        }
        if batch.rowCount == 0 && batch.problems.isEmpty && !batch.truncated {
            return nil
        }
        return batch
    }

    private mutating func report(_ problem: ImportProblem, in batch: inout VisitBatch) {
        if problemBudget > 0 {
            batch.problems.append(problem)
            problemBudget -= 1
        } else {
            batch.truncated = true
        }
    }

    private mutating func report(_ column: String, _ problem: String, in batch: inout VisitBatch) {
        report(ImportProblem(file: file.name.rawValue, line: file.line, column: column, problem: problem), in: &batch)
    }

    /// The current row's values checked, or nil (with its problems reported) when it is bad.
    private mutating func checkRow(_ batch: inout VisitBatch) -> [String?]? {
        var valid = true
        var id: UUIDKey?
        let idText = file.text(at: columns.id)
        if idText.isEmpty {
            report("id", "is empty (a UUID is expected)", in: &batch)
        } else if let key = UUIDKey(idText) {
            if let earlier = seen[key] {
                report("id", "\(idText) appears twice in the file (first on line \(earlier))", in: &batch)
            } else {
                seen[key] = file.line
                id = key
            }
        } else {
            report("id", "\(idText) is not a UUID", in: &batch)
        }
        let householdCode = file.text(at: columns.household)
        if householdCode.isEmpty {
            report("household_code", "is empty", in: &batch)
            valid = false
        } else if !households.contains(householdCode) {
            report("household_code", "unknown household \(householdCode)", in: &batch)
            valid = false
        }
        let visitorId = file.text(at: columns.visitor)
        if visitorId.isEmpty {
            report("visitor_id", "is empty", in: &batch)
            valid = false
        } else if !people.contains(visitorId) {
            report("visitor_id", "unknown person \(visitorId)", in: &batch)
            valid = false
        }
        var visitedAt: Timestamp?
        let timeText = file.text(at: columns.time)
        if timeText.isEmpty {
            report("visited_at", "is empty", in: &batch)
        } else if let timestamp = Timestamp(timeText) {
            if timestamp.epochSeconds < Self.earliestAllowed {
                report("visited_at", "\(timeText) is before 1970", in: &batch)
            } else if timestamp.epochSeconds > latestAllowed {
                report("visited_at", "\(timeText) is in the future", in: &batch)
            } else {
                visitedAt = timestamp
            }
        } else {
            report("visited_at", "\(timeText) is not an ISO 8601 time with offset (2026-03-02T09:15:00+08:00)", in: &batch)
        }
        let method = choice("method", file.text(at: columns.method), VisitMethod.self, &batch)
        let outcome = choice("outcome", file.text(at: columns.outcome), VisitOutcome.self, &batch)
        guard valid, let id, let visitedAt, let method, let outcome else { return nil }
        let visitedOn = calendar.localDate(of: visitedAt)
        let isLowercase = !idText.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") }
        return [isLowercase ? idText : id.description, householdCode, visitorId, visitedAt.text, visitedOn.description,
                method.rawValue, outcome.rawValue, file.text(at: columns.note)]
    }

    private mutating func choice<T: RawRepresentable & CaseIterable>(_ column: String, _ value: String, _ type: T.Type,
                                                                      _ batch: inout VisitBatch) -> T? where T.RawValue == String {
        guard !value.isEmpty else {
            report(column, "is empty", in: &batch)
            return nil
        }
        guard let parsed = T(rawValue: value) else {
            report(column, "\(value) is not one of \(T.allCases.map(\.rawValue).joined(separator: "|"))", in: &batch)
            return nil
        }
        return parsed
    }
}
