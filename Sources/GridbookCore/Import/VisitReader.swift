/// Checked rows of visits.csv and the problems found among them.
struct VisitBatch: Sendable {
    /// The good rows: id, household_code, visitor_id, visited_at, visited_on, method, outcome, note.
    var rows = EncodedRows(width: VisitReader.columns.count, blobColumn: VisitReader.idColumn)
    var problems: [ImportProblem] = []
    /// Rows read, good or bad.
    var rowCount = 0
    /// More problems were found than the import may report.
    var truncated = false
    /// Whether every good row so far, this batch's and the batches' before it, came in the order
    /// of its household code (equal codes together, each not below the one before it).
    var inHouseholdOrder = true
}

/// Reads visits.csv and checks every row against the households and people known, away from
/// the database: the importer runs it on another thread while it writes the rows already checked.
struct VisitReader: Sendable {
    /// The columns of the visits table, in the order each row's values come.
    static let columns = ["id", "household_code", "visitor_id", "visited_at", "visited_on", "method", "outcome", "note"]
    /// Where the id is among ``columns``: written as its 16 stored bytes.
    static let idColumn = 0

    /// Visits before 1970 are typing mistakes.
    static let earliestAllowed = 0

    private var file: SeedFile
    private let households: CodeTable
    /// The people's ids, looked up from a field's bytes without making a string.
    private let people: CodeTable
    private var calendar: LocalCalendar
    private let latestAllowed: Int
    private var problemBudget: Int
    private let progress: (@Sendable (String, Double, Int?) -> Void)?
    private let columns: (id: Int?, household: Int?, visitor: Int?, time: Int?, method: Int?, outcome: Int?, note: Int?)
    private var rowsRead = 0
    /// The household code of the last good row, as long as every good row came in household
    /// order (``VisitBatch/inHouseholdOrder``); nil from the first row that did not.
    private var lastHousehold: [UInt8]? = []

    init(file: SeedFile, households: CodeTable, people: Set<String>, calendar: LocalCalendar, latestAllowed: Int,
         problemBudget: Int, progress: (@Sendable (String, Double, Int?) -> Void)?) {
        self.file = file
        self.households = households
        var personIds = CodeTable(capacity: people.count)
        for id in people { personIds.set(id, 1) }
        self.people = personIds
        self.calendar = calendar
        self.latestAllowed = latestAllowed
        self.problemBudget = problemBudget
        self.progress = progress
        // Column positions are looked up once: the row loop runs millions of times.
        columns = (file.position("id"), file.position("household_code"), file.position("visitor_id"),
                   file.position("visited_at"), file.position("method"), file.position("outcome"), file.position("note"))
    }

    /// The next `size` rows checked, or nil at the end of the file (or once the problem budget is spent).
    mutating func nextBatch(size: Int) -> VisitBatch? {
        guard problemBudget > 0 || rowsRead == 0 else { return nil }
        var batch = VisitBatch()
        batch.rows = EncodedRows(width: Self.columns.count, capacity: size, blobColumn: Self.idColumn)
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
            if rowsRead % 16_384 == 0 { progress?("reading \(file.fileName)", file.progress, rowsRead) }
            checkRow(&batch)
        }
        if batch.rowCount == 0 && batch.problems.isEmpty && !batch.truncated {
            return nil
        }
        batch.inHouseholdOrder = lastHousehold != nil
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
        report(ImportProblem(file: file.fileName, line: file.line, column: column, problem: problem), in: &batch)
    }

    /// Checks the current row and, when it is good, adds its values to `batch.rows`; a bad row's
    /// problems are reported. Values that are copied as they are (id, time) are read as bytes,
    /// without making strings: this runs for every one of millions of rows.
    private mutating func checkRow(_ batch: inout VisitBatch) {
        var valid = true
        let id: UUIDKey? = file.withTrimmedBytes(at: columns.id) { UUIDKey(bytes: $0) }
        // An id that appears twice is found once the rows are in (``DuplicateVisitIds``): keeping
        // every id read so far took a gigabyte at 20 million visits.
        if id == nil {
            let idText = file.text(at: columns.id)
            report("id", idText.isEmpty ? "is empty (a UUID is expected)" : "\(idText) is not a UUID", in: &batch)
            valid = false
        }
        let household = knownCode(at: columns.household, in: households, "household_code", unknown: "household", &batch)
        let visitor = knownCode(at: columns.visitor, in: people, "visitor_id", unknown: "person", &batch)
        if !household.known || !visitor.known { valid = false }
        let epochSeconds = file.withTrimmedBytes(at: columns.time) { Timestamp.parse($0) }
        if let epochSeconds, epochSeconds >= Self.earliestAllowed, epochSeconds <= latestAllowed {
            // A good time.
        } else {
            let timeText = file.text(at: columns.time)
            let problem = switch epochSeconds {
            case nil where timeText.isEmpty: "is empty"
            case nil: "\(timeText) is not an ISO 8601 time with offset (2026-03-02T09:15:00+08:00)"
            case let seconds? where seconds < Self.earliestAllowed: "\(timeText) is before 1970"
            default: "\(timeText) is in the future"
            }
            report("visited_at", problem, in: &batch)
            valid = false
        }
        let method = file.withTrimmedBytes(at: columns.method, Self.methods.value(of:))
            ?? choice("method", file.text(at: columns.method), VisitMethod.self, &batch)
        let outcome = file.withTrimmedBytes(at: columns.outcome, Self.outcomes.value(of:))
            ?? choice("outcome", file.text(at: columns.outcome), VisitOutcome.self, &batch)
        guard valid, let id, let epochSeconds, let method, let outcome else { return }
        batch.rows.appendValue(storedId: id)
        append(household.text, at: columns.household, to: &batch)
        if let last = lastHousehold {
            lastHousehold = if let text = household.text { Self.order(after: last, Array(text.utf8)) }
                else { file.withTrimmedBytes(at: columns.household) { Self.order(after: last, $0) } }
        }
        append(visitor.text, at: columns.visitor, to: &batch)
        file.withTrimmedBytes(at: columns.time) { batch.rows.appendValue(bytes: $0) }
        batch.rows.appendValue(calendar.localDate(epochSeconds: epochSeconds).description)
        batch.rows.appendValue(method.rawValue)
        batch.rows.appendValue(outcome.rawValue)
        batch.rows.appendValue(file.text(at: columns.note))
    }

    /// Whether the field at `position` holds a code `table` knows, and its text when it had to be
    /// made (nil: the field's bytes are the code); an empty or unknown code is reported. Looked
    /// up from the field's bytes: a string for each of millions of codes cost more than the
    /// lookup. A code with other spaces around it (no-break, full-width) is looked up again as text.
    @inline(__always)
    private mutating func knownCode(at position: Int?, in table: CodeTable, _ column: String, unknown: String,
                                    _ batch: inout VisitBatch) -> (known: Bool, text: String?) {
        if file.withTrimmedBytes(at: position, { !$0.isEmpty && table.contains($0) }) { return (true, nil) }
        let code = file.text(at: position)
        if code.isEmpty {
            report(column, "is empty", in: &batch)
            return (false, code)
        }
        if !table.contains(code) {
            report(column, SpreadsheetHabits.unknownReference(unknown, code), in: &batch)
            return (false, code)
        }
        return (true, code)
    }

    /// Adds a code ``knownCode(at:in:_:unknown:_:)`` found: its text when it was made, else the
    /// field's bytes.
    @inline(__always)
    private func append(_ code: String?, at position: Int?, to batch: inout VisitBatch) {
        if let code {
            batch.rows.appendValue(code)
        } else {
            file.withTrimmedBytes(at: position) { batch.rows.appendValue(bytes: $0) }
        }
    }

    /// What ``lastHousehold`` becomes with a good row of `household`, after rows in household
    /// order up to one of `last`: compared as bytes, the order of SQLite's BINARY collation,
    /// which the index on household codes keeps.
    @inline(__always)
    private static func order(after last: [UInt8], _ household: some Collection<UInt8>) -> [UInt8]? {
        if last.elementsEqual(household) { return last }
        return last.lexicographicallyPrecedes(household) ? Array(household) : nil
    }

    /// The methods and outcomes by their bytes: two short strings read millions of times.
    private static let methods = ByteChoices(VisitMethod.self)
    private static let outcomes = ByteChoices(VisitOutcome.self)

    private mutating func choice<T: RawRepresentable & CaseIterable>(_ column: String, _ value: String, _ type: T.Type,
                                                                      _ batch: inout VisitBatch) -> T? where T.RawValue == String {
        switch parseChoice(value, as: type) {
        case .success(let parsed): return parsed
        case .failure(let problem):
            report(column, problem.text, in: &batch)
            return nil
        }
    }
}

/// The values of a choice column (a visit's method or outcome) looked up from a field's bytes;
/// anything else is read again as text, for its message.
private struct ByteChoices<T: RawRepresentable & CaseIterable & Sendable>: Sendable where T.RawValue == String {
    private let choices: [(bytes: [UInt8], value: T)]

    init(_ type: T.Type) {
        choices = T.allCases.map { (Array($0.rawValue.utf8), $0) }
    }

    func value(of bytes: UnsafeBufferPointer<UInt8>) -> T? {
        choices.first { $0.bytes.elementsEqual(bytes) }?.value
    }
}
