import Dispatch
import Foundation
import GRDB
import Logging

extension AppDatabase {
    /// Imports a directory of seed CSV files (SPEC section 4) in one transaction.
    ///
    /// All or nothing: when any row is bad, every bad row (up to `options.maxProblems`) is
    /// reported in an ``ImportFailure`` and nothing is written. Importing the same files again
    /// changes nothing; a changed row updates its record.
    public func importSeeds(from directory: URL, options: ImportOptions = ImportOptions()) async throws -> ImportSummary {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ImportFailure(problems: [ImportProblem(file: directory.path, line: 0, column: "-", problem: "no such directory")],
                                truncated: false)
        }
        let now = options.now ?? clock.now()
        return try await writeWithoutTransaction { db in
            // The importer checks every reference itself, against the database and the rows
            // before it, and reports each bad one; SQLite's own per-row foreign key checks would
            // double the cost of loading millions of visits. They are back on when it is done.
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            let outcome = Result {
                let summary = try Self.importSeeds(db, from: directory, options: options, now: now)
                // What was imported, to know the visit log again (a note: losing it only means
                // the next import reads the file).
                try? db.inTransaction {
                    for (name, digest) in summary.digests {
                        try db.execute(sql: "INSERT OR REPLACE INTO import_files (name, digest, imported_at) VALUES (?, ?, ?)",
                                       arguments: [name, digest, Timestamp(epochSeconds: Int(now.timeIntervalSince1970)).text])
                    }
                    return .commit
                }
                return summary
            }
            // Back on whatever happened: a connection left without them would let later writes
            // break references unnoticed, so failing to turn them on is an error of its own. The
            // same for CHECK constraints, off while visits are loaded (and back on after, unless
            // the load failed).
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
            guard try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") == true,
                  try Bool.fetchOne(db, sql: "PRAGMA ignore_check_constraints") == false else {
                throw GridbookError.invalid(field: "foreign_keys", problem: "SQLite's foreign key and CHECK constraints could not be turned back on after the import")
            }
            return try outcome.get()
        }
    }

    /// The first import of a county loads its empty tables in one transaction. Any later import
    /// is staged (``ImportStaging``): read and checked under a snapshot, without the write lock,
    /// then what changed is applied in one short transaction, so the server's writes wait for
    /// that alone.
    private static func importSeeds(_ db: Database, from directory: URL, options: ImportOptions, now: Date) throws -> ImportSummary {
        var summary = ImportSummary()
        guard try ImportStaging.applies(to: db) else {
            try db.inTransaction(.immediate) {
                var importer = try SeedImporter(db: db, directory: directory, options: options, now: now, staged: false)
                summary = try importer.run()
                return .commit
            }
            return summary
        }
        let outcome = Result {
            try ImportStaging.prepare(db)
            try db.inTransaction(.deferred) {
                try ImportStaging.create(db)
                var importer = try SeedImporter(db: db, directory: directory, options: options, now: now, staged: true)
                summary = try importer.run()
                return .commit
            }
            guard summary.changedAnything else { return }
            try db.inTransaction(.immediate) {
                try ImportStaging.apply(db, progress: options.progress)
                try Audit.record(db, options.actor, "import", "seed_directory", directory.path, detail: summary.auditDetail, at: now)
                return .commit
            }
        }
        // Whatever happened, the copies go (a failed transaction has dropped them already).
        try ImportStaging.drop(db)
        try outcome.get()
        return summary
    }
}

/// Reads seed files in dependency order, checks every row against the database and the rows
/// before it, and writes the good rows; the caller's transaction is rolled back on any problem.
struct SeedImporter {
    private let db: Database
    private let directory: URL
    private let options: ImportOptions
    private var calendar: LocalCalendar
    private let latestAllowed: Int
    private let today: LocalDate
    private let now: Date
    /// Whether the importer works on ``ImportStaging``'s copies (whose changes are applied after).
    private let staged: Bool

    private var problems: [ImportProblem] = []
    private var truncated = false
    private var summary = ImportSummary()
    /// Every household's last met visit and due date are up to date with what was read (the
    /// visit log was written, after every file it depends on).
    private var datesRefreshed = false
    /// The index of households by due date, when a first import loaded the households without
    /// it: it is built once their dates are written, at the end (``restoreDueIndex()``).
    private var suspendedDueIndex: [String] = []

    /// What exists, in the database or in rows already read: code → (level, parent).
    private var units: [String: (level: UnitLevel, parent: String?)] = [:]
    private var categories: Set<String> = []
    private var people: Set<String> = []
    /// Household codes, each with the line of households.csv it was read on (0: in the database
    /// and not read yet).
    private var households = CodeTable()

    init(db: Database, directory: URL, options: ImportOptions, now: Date, staged: Bool) throws {
        self.db = db
        self.staged = staged
        self.now = now
        self.directory = directory
        self.options = options
        self.calendar = try Settings.calendar(db)
        let nowSeconds = Int(now.timeIntervalSince1970.rounded(.down))
        self.latestAllowed = nowSeconds + 5 * 60
        self.today = calendar.localDate(epochSeconds: nowSeconds)
        for row in try Row.fetchAll(db, sql: "SELECT code, level, parent_code FROM units") {
            if let level = UnitLevel(rawValue: row[1]) { units[row[0]] = (level, row[2]) }
        }
        categories = try Set(String.fetchAll(db, sql: "SELECT code FROM categories"))
        people = try Set(String.fetchAll(db, sql: "SELECT id FROM people"))
        households = CodeTable(capacity: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM households") ?? 0)
        let householdCodes = try String.fetchCursor(db, sql: "SELECT code FROM households")
        while let code = try householdCodes.next() { households.set(code, 0) }
    }

    /// Reads every file present, then fails with every problem found, or returns the summary.
    mutating func run() throws -> ImportSummary {
        checkFileNames()
        var unreadable: Set<SeedFileName> = []
        for name in SeedFileName.allCases {
            guard !isFull else { break }
            if !name.dependencies.isDisjoint(with: unreadable) {
                unreadable.insert(name)
                continue
            }
            guard var file = SeedFile(directory: directory, name: name, encoding: options.encoding, report: { report($0) }) else {
                continue
            }
            let started = Date()
            var fileSummary = ImportFileSummary(file: file.fileName, encoding: file.encoding)
            // The bytes and how they were read: the same bytes read in another encoding
            // (`--encoding gb18030` after a wrong guess) are another file.
            let digest = file.digest.map { "\($0) \(file.encoding)" }
            fileSummary.digest = digest
            if !file.isReadable { unreadable.insert(name) }
            // The visit log as it was last imported holds nothing new: visits are never changed
            // but by importing a changed row, which changes the file. Reading two million rows
            // again to find that out was most of a re-import's time.
            if name == .visits, file.isReadable, let digest,
               try String.fetchOne(db, sql: "SELECT digest FROM import_files WHERE name = ?", arguments: [name.rawValue]) == digest {
                fileSummary.skipped = true
                options.progress?("reading \(file.fileName)", 1, nil)
                summary.files.append(fileSummary)
                continue
            }
            if file.isReadable {
                switch name {
                case .issueCategories: try importIssueCategories(&file, &fileSummary)
                case .holidays: try importHolidays(&file, &fileSummary)
                case .categories: try importCategories(&file, &fileSummary)
                case .units: try importUnits(&file, &fileSummary)
                case .people: try importPeople(&file, &fileSummary)
                case .duties: try importDuties(&file, &fileSummary)
                case .partyGroups: try importPartyGroups(&file, &fileSummary)
                case .households: try importHouseholds(&file, &fileSummary)
                case .visits: try importVisits(&file, &fileSummary)
                }
            }
            if let digest { summary.digests[name.rawValue] = digest }
            options.progress?("reading \(file.fileName)", 1, fileSummary.rows)
            options.logger.debug("read seed file", metadata: [
                "file": "\(file.fileName)", "encoding": "\(file.encoding)", "rows": "\(fileSummary.rows)",
                "added": "\(fileSummary.added)", "updated": "\(fileSummary.updated)", "problems": "\(problems.count)",
                "seconds": "\(String(format: "%.3f", Date().timeIntervalSince(started)))",
            ])
            summary.files.append(fileSummary)
        }
        if !problems.isEmpty {
            // In file order, then line order (units are checked in two passes).
            let order = Dictionary(uniqueKeysWithValues: SeedFileName.allCases.enumerated().map { ($1.stem, $0) })
            let rank = { (file: String) in order[String(file.prefix { $0 != "." })] ?? -1 }
            let sorted = problems.enumerated().sorted {
                (rank($0.element.file), $0.element.line, $0.offset) < (rank($1.element.file), $1.element.line, $1.offset)
            }
            options.logger.debug("import refused", metadata: ["problems": "\(problems.count)", "truncated": "\(truncated)"])
            throw ImportFailure(problems: sorted.map(\.element), truncated: truncated)
        }
        // SQLite's foreign key checks are off while importing (the importer checks every reference
        // itself); check them once on every table but the visit log, whose two million rows would
        // double the cost, and whose references the tests pin.
        for table in ["units", "duties", "party_groups", "party_group_grids", "party_group_members", "households", "household_categories"] {
            try db.checkForeignKeys(in: table, in: staged ? "temp" : "main")
        }
        // A staged import's changes are applied, dated and audited after (ImportStaging.apply).
        if summary.changedAnything && !staged {
            // Categories, households or visits may have moved any household's due date (the
            // visit log, read last, brought every household's dates up to date when it changed).
            if !datesRefreshed { try refreshDueOn(db) }
            try Audit.record(db, options.actor, "import", "seed_directory", directory.path, detail: summary.auditDetail, at: now)
        }
        // Built whether or not anything was added (a households.csv of no rows dropped it too).
        try restoreDueIndex()
        return summary
    }

    /// Reports CSV files that are not seed files (a misspelt `Units.csv` would otherwise be
    /// skipped without a word), and a directory with no seed file at all.
    private mutating func checkFileNames() {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            // A folder this user may not list may still let its files be opened by name.
            if !SeedFileName.allCases.contains(where: { !SeedFile.forms(of: $0, in: directory).isEmpty }) {
                report(ImportProblem(file: directory.path, line: 1, column: "-",
                                     problem: "cannot read the folder as this user: \(error.localizedDescription)"))
            }
            return
        }
        let known = Set(SeedFileName.allCases.flatMap(\.fileNames))
        let expected = SeedFileName.allCases.map(\.rawValue).joined(separator: ", ") + " (or .txt or .xlsx)"
        // Only CSV files are taken for misspelt seed files: a folder may well hold other workbooks
        // and notes (说明.txt, Excel's ~$ lock files).
        for name in names.sorted() where name.lowercased().hasSuffix(".csv") && !known.contains(name) {
            report(ImportProblem(file: name, line: 1, column: "-", problem: "not a seed file (expected \(expected)); rename or remove it"))
        }
        if !names.contains(where: known.contains) {
            report(ImportProblem(file: directory.path, line: 1, column: "-", problem: "no seed files here (expected \(expected))"))
        }
    }

    // MARK: - Problems

    private var isFull: Bool { problems.count >= options.maxProblems }

    private mutating func report(_ problem: ImportProblem) {
        if isFull {
            truncated = true
        } else {
            problems.append(problem)
        }
    }

    private mutating func report(_ file: SeedFile, _ column: String, _ problem: String) {
        report(ImportProblem(file: file.fileName, line: file.line, column: column, problem: problem))
    }

    /// Moves to the next well-formed row, reporting progress now and then; false at the end or
    /// when there are too many problems.
    private mutating func nextRow(_ file: inout SeedFile, _ summary: inout ImportFileSummary) -> Bool {
        if summary.rows % 16_384 == 0 { options.progress?("reading \(file.fileName)", file.progress, summary.rows) }
        var found: [ImportProblem] = []
        let more = file.nextRow { found.append($0) }
        found.forEach { report($0) }
        if isFull {
            if more { truncated = true }
            return false
        }
        if more { summary.rows += 1 }
        return more
    }

    /// Whether no problem has been found yet, so that rows may still be written.
    private var writing: Bool { problems.isEmpty }

    // MARK: - Field checks

    /// The column's text, reporting it when empty.
    private mutating func required(_ file: SeedFile, _ column: String) -> String? {
        let value = file.text(column)
        if value.isEmpty {
            report(file, column, "is empty")
            return nil
        }
        return value
    }

    /// The column's text as a new record's code or id (``RecordCode``), reporting it when it is not one.
    private mutating func code(_ file: SeedFile, _ column: String) -> String? {
        let value = file.text(column)
        if let problem = SpreadsheetHabits.scientificNotationProblem(value) {
            report(file, column, problem)
            return nil
        }
        if let problem = RecordCode.problem(value) ?? SpreadsheetHabits.fullWidthCodeProblem(value) {
            report(file, column, value.isEmpty ? problem : "\(RecordCode.quoted(value)) \(problem)")
            return nil
        }
        return value
    }

    private mutating func date(_ file: SeedFile, _ column: String, required isRequired: Bool) -> LocalDate?? {
        let value = file.text(column)
        if value.isEmpty {
            if isRequired {
                report(file, column, "is empty")
                return nil
            }
            return .some(nil)
        }
        guard let date = SpreadsheetHabits.date(value) ?? SpreadsheetHabits.serialDate(value, date1904: file.date1904) else {
            report(file, column, "\(value) is not a date (YYYY-MM-DD, 2026/5/4 or 2026年5月4日)")
            return nil
        }
        return .some(date)
    }

    /// A phone or ID number masked by an export without --reveal (`138****1234`) stands for the
    /// stored one when it is that one's mask: a township corrects an exported file and imports it
    /// back without retyping every number. Any other value is returned as it is.
    private func unmasked(_ value: String?, _ table: String, _ key: String?, _ column: String, _ mask: (String) -> String) throws -> String? {
        guard let value, value.utf8.contains(UInt8(ascii: "*")), let key else { return value }
        let keyColumn = table == "people" ? "id" : "code"
        guard let stored = try String.fetchOne(db.cachedStatement(sql: "SELECT \(column) FROM \(table) WHERE \(keyColumn) = ?"), arguments: [key]),
              mask(stored) == value
        else { return value }
        return stored
    }

    /// What is wrong with a phone or ID number from a spreadsheet: a masked number that is not the
    /// stored one's, one Excel put in scientific notation, or one its own rule refuses.
    private static func personalDataProblem(_ value: String, _ rule: (String) -> String?) -> String? {
        if value.utf8.contains(UInt8(ascii: "*")) {
            return "\(value) is masked (a file exported without --reveal) and is not the stored number's mask: type the whole number"
        }
        return SpreadsheetHabits.scientificNotationProblem(value) ?? rule(value)
    }

    private mutating func choice<T: RawRepresentable & CaseIterable>(_ file: SeedFile, _ column: String, _ type: T.Type) -> T?
    where T.RawValue == String {
        switch parseChoice(file.text(column), as: type) {
        case .success(let value): return value
        case .failure(let problem):
            report(file, column, problem.text)
            return nil
        }
    }

    private mutating func firstOccurrence(_ seen: inout [String: Int], _ key: String, _ file: SeedFile, _ column: String) -> Bool {
        if let earlier = seen[key] {
            report(file, column, "\(key) appears twice in the file (first on line \(earlier))")
            return false
        }
        seen[key] = file.line
        return true
    }

    /// Runs an upsert statement and counts what it did: a new record, a changed one, or none.
    private func count(_ statement: Statement, _ arguments: StatementArguments, existed: Bool,
                       _ summary: inout ImportFileSummary) throws {
        try statement.execute(arguments: arguments)
        if db.changesCount > 0 {
            if existed { summary.updated += 1 } else { summary.added += 1 }
        }
    }

    // MARK: - Statements

    /// `INSERT` of `columns` that, for a row whose `key` exists, updates the other columns only
    /// when one of them differs, so that SQLite's change count says whether anything changed.
    /// A column the file does not have (`file`'s header) is left as stored: a file of corrections
    /// may hold only the columns it corrects, and a column that is not there says nothing about
    /// its values (a new record takes the column's default). The names are the importer's own
    /// constants, never input.
    private func upsertSQL(table: String, key: [String], columns: [String], file: SeedFile) -> String {
        let others = columns.filter { !key.contains($0) && Self.has(file, $0) }
        let update = others.isEmpty ? "DO NOTHING" : """
            DO UPDATE SET \(others.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            WHERE \(others.map { "\($0) IS NOT excluded.\($0)" }.joined(separator: " OR "))
            """
        return """
            INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
            ON CONFLICT (\(key.joined(separator: ", "))) \(update)
            """
    }

    /// Whether the file's header has `column` (a record's other values are kept as stored).
    private static func has(_ file: SeedFile, _ column: String) -> Bool {
        file.position(column) != nil
    }

    // MARK: - Bulk loading

    /// Drops a table's indexes and triggers for a bulk load into it (they are put back by
    /// ``restore(_:on:)``), and returns the SQL that creates them. Building an index once from all
    /// the rows is much faster than keeping it up to date row by row, and the triggers only
    /// repeat checks the importer has made on every row. All of it is inside the import's
    /// transaction, so a failed import leaves the schema as it was.
    ///
    /// `named`: only the indexes of those names (no trigger): for a bulk update that moves every
    /// row's key in them. `except`: all but the indexes of those names.
    private func suspendIndexesAndTriggers(on table: String, named names: [String]? = nil,
                                           except kept: [String] = []) throws -> [String] {
        let objects = try Row.fetchAll(db, sql: """
            SELECT type, name, sql FROM sqlite_master
            WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL
            ORDER BY type, name
            """, arguments: [table]).filter { object in
                let name: String = object[1]
                return (names.map { $0.contains(name) } ?? true) && !kept.contains(name)
            }
        for object in objects {
            let type: String = object[0]
            let name: String = object[1]
            try db.execute(sql: type == "index" ? "DROP INDEX \(name.quotedDatabaseIdentifier)" : "DROP TRIGGER \(name.quotedDatabaseIdentifier)")
        }
        return objects.map { $0[2] }
    }

    /// Creates again what ``suspendIndexesAndTriggers(on:)`` dropped, with a small page cache.
    /// SQLite's sorter sorts a page cache's worth of keys at a time in each of its threads (three
    /// with `threads = 2`), then merges those runs. Runs of 2 MiB stay in the processor's caches
    /// while they are sorted: the visit log's two indexes built a few per cent faster than with
    /// runs of 8 MiB at both sizes of the county (and 25 % slower with 32 MiB, though those merge
    /// in fewer passes), and the import's peak memory fell by 18 MB (106 to 87 MB for two million
    /// visits; BENCHMARKS.md).
    private func restore(_ definitions: [String], on table: String) throws {
        guard !definitions.isEmpty else { return }
        let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        try db.execute(sql: "PRAGMA cache_size = -2048")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
        for (index, sql) in definitions.enumerated() {
            options.progress?("indexing \(table)", Double(index) / Double(definitions.count), nil)
            try db.execute(sql: sql)
        }
        if !definitions.isEmpty { options.progress?("indexing \(table)", 1, nil) }
    }

    // MARK: - Files

    private mutating func importIssueCategories(_ file: inout SeedFile, _ summary: inout ImportFileSummary) throws {
        let existing = try Set(String.fetchAll(db, sql: "SELECT code FROM issue_categories"))
        let upsert = try db.makeStatement(sql: upsertSQL(table: "issue_categories", key: ["code"], columns: ["code", "label", "kind"], file: file))
        var seen: [String: Int] = [:]
        while nextRow(&file, &summary) {
            let code = self.code(file, "code")
            let label = required(file, "label")
            let kind = choice(file, "kind", IssueCategory.Kind.self)
            guard let code, let label, let kind, firstOccurrence(&seen, code, file, "code"), writing else { continue }
            try count(upsert, [code, label, kind.rawValue], existed: existing.contains(code), &summary)
        }
    }

    private mutating func importHolidays(_ file: inout SeedFile, _ summary: inout ImportFileSummary) throws {
        let existing = try Set(String.fetchAll(db, sql: "SELECT date FROM holidays"))
        let upsert = try db.makeStatement(sql: upsertSQL(table: "holidays", key: ["date"], columns: ["date", "kind", "name"], file: file))
        var seen: [String: Int] = [:]
        while nextRow(&file, &summary) {
            let date = self.date(file, "date", required: true)
            let kind = choice(file, "kind", HolidayKind.self)
            guard let date = date ?? nil, let kind, firstOccurrence(&seen, date.description, file, "date"), writing else { continue }
            try count(upsert, [date.description, kind.rawValue, file.text("name")], existed: existing.contains(date.description), &summary)
        }
    }

    private mutating func importCategories(_ file: inout SeedFile, _ summary: inout ImportFileSummary) throws {
        let upsert = try db.makeStatement(sql: upsertSQL(table: "categories", key: ["code"], columns: ["code", "label", "interval_days"], file: file))
        var seen: [String: Int] = [:]
        while nextRow(&file, &summary) {
            let code = self.code(file, "code")
            let label = file.text("label")
            var interval: Int?
            if let text = required(file, "interval_days") {
                if let days = Int(text), (1...3650).contains(days) {
                    interval = days
                } else {
                    report(file, "interval_days", "\(text) is not a whole number of days from 1 to 3650")
                }
            }
            guard let code, let interval, firstOccurrence(&seen, code, file, "code") else { continue }
            let existed = categories.contains(code)
            categories.insert(code)
            if writing {
                try count(upsert, [code, label.isEmpty ? code : label, interval], existed: existed, &summary)
            }
        }
    }

    private mutating func importUnits(_ file: inout SeedFile, _ summary: inout ImportFileSummary) throws {
        // Units may come in any order: read them all, then check parents against the whole file.
        struct UnitRow { var line: Int; var code: String; var name: String; var level: UnitLevel; var parent: String? }
        var rows: [UnitRow] = []
        var seen: [String: Int] = [:]
        while nextRow(&file, &summary) {
            let code = self.code(file, "code")
            let name = required(file, "name")
            let level = choice(file, "level", UnitLevel.self)
            guard let code, let name, let level, firstOccurrence(&seen, code, file, "code") else { continue }
            rows.append(UnitRow(line: file.line, code: code, name: name, level: level, parent: file.optional("parent_code")))
        }
        let before = units
        for row in rows { units[row.code] = (row.level, row.parent) }
        let counties = units.filter { $0.value.level == .county }.map(\.key).sorted()
        var reported = Set<String>()
        func problem(_ row: UnitRow, _ column: String, _ text: String) -> ImportProblem {
            reported.insert(row.code)
            return ImportProblem(file: file.fileName, line: row.line, column: column, problem: text)
        }
        for row in rows {
            if row.level == .county {
                if let parent = row.parent {
                    report(problem(row, "parent_code", "a county has no parent (found \(parent))"))
                } else if counties.count > 1 {
                    report(problem(row, "code", "one county per database (found \(counties.joined(separator: ", ")))"))
                }
            } else if let parent = row.parent {
                if let parentUnit = units[parent] {
                    if parentUnit.level != row.level.parent {
                        report(problem(row, "parent_code",
                                       "\(parent) is a \(parentUnit.level.rawValue); a \(row.level.rawValue)'s parent must be a \(row.level.parent?.rawValue ?? "-")"))
                    }
                } else {
                    report(problem(row, "parent_code", SpreadsheetHabits.unknownReference("parent", parent)))
                }
            } else {
                report(problem(row, "parent_code", "is empty (a \(row.level.rawValue) needs a parent \(row.level.parent?.rawValue ?? "-"))"))
            }
            if let old = before[row.code], old.level != row.level {
                report(problem(row, "level", "\(row.code) is a \(old.level.rawValue); a unit's level cannot change (add a new unit instead)"))
                units[row.code] = old // so that rows of later files are checked against the unit as it is
            }
            if let old = before[row.code], row.level == .block, old.parent != row.parent,
               try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM households WHERE block_code = ?)", arguments: [row.code]) == true {
                report(problem(row, "parent_code", "block \(row.code) has households; move it with `gridbook unit move`"))
            }
        }
        guard writing else { return }
        let upsert = try db.makeStatement(sql: upsertSQL(table: "units", key: ["code"], columns: ["code", "name", "level", "parent_code"], file: file))
        for row in rows.sorted(by: { ($0.level.depth, $0.line) < ($1.level.depth, $1.line) }) {
            try count(upsert, [row.code, row.name, row.level.rawValue, row.parent], existed: before[row.code] != nil, &summary)
        }
    }

    private mutating func importPeople(_ file: inout SeedFile, _ summary: inout ImportFileSummary) throws {
        let upsert = try db.makeStatement(sql: upsertSQL(table: "people", key: ["id"], columns: ["id", "name", "phone", "id_number"], file: file))
        var seen: [String: Int] = [:]
        while nextRow(&file, &summary) {
            let id = self.code(file, "id")
            let name = required(file, "name")
            let phone = try unmasked(file.optional("phone").map(SpreadsheetHabits.phone), "people", id, "phone", PersonalData.maskPhone)
            var idNumber = try unmasked(file.optional("id_number").map(SpreadsheetHabits.idNumber), "people", id, "id_number",
                                        PersonalData.maskIDNumber)
            var valid = true
            if let phone, let problem = Self.personalDataProblem(phone, PersonalData.phoneProblem) {
                report(file, "phone", problem)
                valid = false
            }
            if let number = idNumber, let problem = Self.personalDataProblem(number, PersonalData.idNumberProblem) {
                report(file, "id_number", problem)
                valid = false
                idNumber = nil
            }
            guard let id, let name, valid, firstOccurrence(&seen, id, file, "id") else { continue }
            let existed = people.contains(id)
            people.insert(id)
            if writing {
                try count(upsert, [id, name, phone, idNumber], existed: existed, &summary)
            }
        }
    }

    private mutating func importDuties(_ file: inout SeedFile, _ summary: inout ImportFileSummary) throws {
        let upsert = try db.makeStatement(sql: upsertSQL(
            table: "duties", key: ["person_id", "role", "unit_code", "since"],
            columns: ["person_id", "role", "unit_code", "since", "until"], file: file))
        let existing = try Set(Row.fetchAll(db, sql: "SELECT person_id, role, unit_code, since FROM duties").map {
            "\($0[0] as String)|\($0[1] as String)|\($0[2] as String)|\($0[3] as String)"
        })
        var seen: [String: Int] = [:]
        while nextRow(&file, &summary) {
            var valid = true
            let personId = required(file, "person_id")
            if let personId, !people.contains(personId) {
                report(file, "person_id", SpreadsheetHabits.unknownReference("person", personId))
                valid = false
            }
            let role = choice(file, "role", Role.self)
            let unitCode = required(file, "unit_code")
            if let unitCode {
                if let unit = units[unitCode] {
                    if let role, !role.unitLevels.contains(unit.level) {
                        let levels = role.unitLevels.map(\.rawValue).joined(separator: " or ")
                        report(file, "unit_code", "\(unitCode) is a \(unit.level.rawValue); a \(role.rawValue) attaches to a \(levels)")
                        valid = false
                    }
                } else {
                    report(file, "unit_code", SpreadsheetHabits.unknownReference("unit", unitCode))
                    valid = false
                }
            }
            let since = date(file, "since", required: true)
            let until = date(file, "until", required: false)
            if let since = since ?? nil, let until = until ?? nil, until < since {
                report(file, "until", "\(until) is before since (\(since))")
                valid = false
            }
            guard valid, let personId, let role, let unitCode, let since = since ?? nil, let until else { continue }
            let key = "\(personId)|\(role.rawValue)|\(unitCode)|\(since)"
            guard firstOccurrence(&seen, key, file, "since") else { continue }
            if writing {
                try count(upsert, [personId, role.rawValue, unitCode, since, until], existed: existing.contains(key), &summary)
            }
        }
    }

    private mutating func importPartyGroups(_ file: inout SeedFile, _ summary: inout ImportFileSummary) throws {
        let existing = try Set(String.fetchAll(db, sql: "SELECT code FROM party_groups"))
        var grids: [String: Set<String>] = [:]
        var members: [String: Set<String>] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT group_code, grid_code FROM party_group_grids") {
            grids[row[0], default: []].insert(row[1])
        }
        for row in try Row.fetchAll(db, sql: "SELECT group_code, person_id FROM party_group_members") {
            members[row[0], default: []].insert(row[1])
        }
        let upsert = try db.makeStatement(sql: upsertSQL(table: "party_groups", key: ["code"], columns: ["code", "name", "leader_id"], file: file))
        var seen: [String: Int] = [:]
        while nextRow(&file, &summary) {
            var valid = true
            let code = self.code(file, "code")
            let name = required(file, "name")
            let leader = file.optional("leader_id")
            if let leader, !people.contains(leader) {
                report(file, "leader_id", SpreadsheetHabits.unknownReference("person", leader))
                valid = false
            }
            let gridCodes = Set(file.list("grid_codes"))
            for grid in gridCodes.sorted() {
                if let unit = units[grid] {
                    if unit.level != .grid {
                        report(file, "grid_codes", "\(grid) is a \(unit.level.rawValue), not a grid")
                        valid = false
                    }
                } else {
                    report(file, "grid_codes", SpreadsheetHabits.unknownReference("grid", grid))
                    valid = false
                }
            }
            let memberIds = Set(file.list("member_ids"))
            for member in memberIds.sorted() where !people.contains(member) {
                report(file, "member_ids", SpreadsheetHabits.unknownReference("person", member))
                valid = false
            }
            guard valid, let code, let name, firstOccurrence(&seen, code, file, "code"), writing else { continue }
            try upsert.execute(arguments: [code, name, leader])
            var changed = db.changesCount > 0
            if grids[code] ?? [] != gridCodes {
                try db.cachedStatement(sql: "DELETE FROM party_group_grids WHERE group_code = ?").execute(arguments: [code])
                for grid in gridCodes {
                    try db.cachedStatement(sql: "INSERT INTO party_group_grids (group_code, grid_code) VALUES (?, ?)").execute(arguments: [code, grid])
                }
                changed = true
            }
            if Self.has(file, "member_ids"), members[code] ?? [] != memberIds {
                try db.cachedStatement(sql: "DELETE FROM party_group_members WHERE group_code = ?").execute(arguments: [code])
                for member in memberIds {
                    try db.cachedStatement(sql: "INSERT INTO party_group_members (group_code, person_id) VALUES (?, ?)").execute(arguments: [code, member])
                }
                changed = true
            }
            if changed {
                if existing.contains(code) { summary.updated += 1 } else { summary.added += 1 }
            }
        }
    }

    private mutating func importHouseholds(_ file: inout SeedFile, _ summary: inout ImportFileSummary) throws {
        // The stored tags, to compare each row's with (hundreds of thousands at county size: in
        // code tables, not a dictionary of sets): each household's number of tags, and each pair.
        var tagCounts = CodeTable()
        var tagPairs = CodeTable()
        let storedTags = try Row.fetchCursor(db, sql: "SELECT household_code, category_code FROM household_categories")
        while let row = try storedTags.next() {
            let household: String = row[0]
            tagCounts.set(household, (tagCounts.value(of: household) ?? 0) + 1)
            tagPairs.set(Self.tagPair(household, row[1]), 1)
        }
        func storedTagsDiffer(_ household: String, _ tags: Set<String>) -> Bool {
            Int(tagCounts.value(of: household) ?? 0) != tags.count || tags.contains { !tagPairs.contains(Self.tagPair(household, $0)) }
        }
        let householdColumns = ["code", "grid_code", "block_code", "address", "head_name", "phone", "members", "registered_on"]
        var upsert = try BulkStatement(db, sql: upsertSQL(table: "households", key: ["code"], columns: householdColumns, file: file))
        var deleteTags = try BulkStatement(db, sql: "DELETE FROM household_categories WHERE household_code = ?")
        var insertTag = try BulkStatement(db, sql: "INSERT INTO household_categories (household_code, category_code) VALUES (?, ?)")
        // Into an empty table, rows go in many at a time without the upsert's checks.
        let bulk = households.count == 0 && !staged
        // The index by due date stays off until the households' dates are written (after the
        // visit log): it is built once, from the finished rows, in new pages at the end of the
        // file. It used to be built here and again then, the second time over its own freed
        // pages, of which the statement kept a copy (64 MB for a million households).
        if bulk { suspendedDueIndex = try suspendIndexesAndTriggers(on: "households", named: [Self.householdsByDue]) }
        let suspended = bulk ? try suspendIndexesAndTriggers(on: "households") : []
        let bulkHouseholds = bulk ? try BatchInsert(db, table: "households", columns: householdColumns) : nil
        let bulkTags = bulk ? try BatchInsert(db, table: "household_categories", columns: ["household_code", "category_code"]) : nil
        var pendingHouseholds = EncodedRows(width: householdColumns.count, capacity: 4096)
        var pendingTags = EncodedRows(width: 2, capacity: 1024)
        func flush() throws {
            try bulkHouseholds?.insert(pendingHouseholds)
            try bulkTags?.insert(pendingTags)
            pendingHouseholds.removeAll()
            pendingTags.removeAll()
        }
        while nextRow(&file, &summary) {
            var valid = true
            let code = self.code(file, "code")
            let gridCode = required(file, "grid_code")
            if let gridCode {
                if let unit = units[gridCode] {
                    if unit.level != .grid {
                        report(file, "grid_code", "\(gridCode) is a \(unit.level.rawValue), not a grid")
                        valid = false
                    }
                } else {
                    report(file, "grid_code", SpreadsheetHabits.unknownReference("grid", gridCode))
                    valid = false
                }
            }
            let blockCode = file.optional("block_code")
            if let blockCode {
                if let unit = units[blockCode], unit.level == .block {
                    if let gridCode, unit.parent != gridCode {
                        report(file, "block_code", "block \(blockCode) is not in grid \(gridCode) (it is in \(unit.parent ?? "-"))")
                        valid = false
                    }
                } else {
                    report(file, "block_code", units[blockCode] == nil ? SpreadsheetHabits.unknownReference("block", blockCode) : "\(blockCode) is not a block")
                    valid = false
                }
            }
            let phone = try unmasked(file.optional("phone").map(SpreadsheetHabits.phone), "households", code, "phone", PersonalData.maskPhone)
            if let phone, let problem = Self.personalDataProblem(phone, PersonalData.phoneProblem) {
                report(file, "phone", problem)
                valid = false
            }
            var members = 1
            if let text = file.optional("members") {
                if let count = Int(text), (0...999).contains(count) {
                    members = count
                } else {
                    report(file, "members", "\(text) is not a number of people")
                    valid = false
                }
            }
            let householdTags = Set(file.list("tags"))
            for tag in householdTags.sorted() where !categories.contains(tag) {
                report(file, "tags", "unknown category \(tag)")
                valid = false
            }
            let registeredOn = date(file, "registered_on", required: true) ?? nil
            if let registeredOn, registeredOn > today {
                report(file, "registered_on", "\(registeredOn) is in the future")
                valid = false
            }
            guard valid, let code, let gridCode, let registeredOn else { continue }
            // The codes read are kept with their lines in `households` (a million of them: no
            // second table of the codes seen, as the other files have).
            let known = households.value(of: code)
            if let line = known, line > 0 {
                report(file, "code", "\(code) appears twice in the file (first on line \(line))")
                continue
            }
            let existed = known != nil
            households.set(code, Int32(clamping: file.line))
            // A file without block_code keeps each stored block: one moving a household to a
            // grid its block is not in must say what becomes of the block.
            if existed, blockCode == nil, !Self.has(file, "block_code"),
               let storedBlock = try String.fetchOne(db.cachedStatement(sql: "SELECT block_code FROM households WHERE code = ?"), arguments: [code]),
               let parent = units[storedBlock]?.parent, parent != gridCode {
                report(file, "grid_code", "\(code)'s block \(storedBlock) is in grid \(parent), not \(gridCode): add a block_code column "
                       + "with a block of \(gridCode) (or empty, for no block)")
                continue
            }
            guard writing else { continue }
            let values = [code, gridCode, blockCode, file.text("address"), file.text("head_name"),
                          phone, String(members), registeredOn.description]
            if bulk {
                pendingHouseholds.append(values)
                for tag in householdTags { pendingTags.append([code, tag]) }
                if pendingHouseholds.count >= 4096 { try flush() }
                summary.added += 1
                continue
            }
            var changed = try upsert.run(values) > 0
            if !existed || Self.has(file, "tags"), storedTagsDiffer(code, householdTags) {
                if existed { try deleteTags.run([code]) }
                for tag in householdTags { try insertTag.run([code, tag]) }
                changed = true
            }
            if changed {
                if existed { summary.updated += 1 } else { summary.added += 1 }
            }
        }
        if writing { try flush() }
        try restore(suspended, on: "households")
    }

    /// A household's tag as one key of a code table.
    private static func tagPair(_ household: String, _ category: String) -> String {
        household + "\u{1F}" + category
    }

    /// The visit log's index by household, and the households' by due date (AppDatabase's migrations).
    private static let visitsByHousehold = "visits_household"
    private static let householdsByDue = "households_grid_due"

    /// Builds the index of households by due date, when the households were loaded without it.
    private mutating func restoreDueIndex() throws {
        try restore(suspendedDueIndex, on: "households")
        suspendedDueIndex = []
    }

    private mutating func importVisits(_ file: inout SeedFile, _ summary: inout ImportFileSummary) throws {
        let started = Date()
        // A first import loads an empty visit log (its households are new too); a staged one
        // loads its own empty table. Rows go in many at a time either way.
        //
        // The index by household is kept up to date as the rows go in while they come in
        // household order (a visit log exported household by household): each entry then goes in
        // beside the one before, which costs less than sorting them all after, and less the more
        // visits there are (the sort is n log n). From the first row out of that order it is
        // dropped, and built again after with the others.
        var suspended = staged ? [] : try suspendIndexesAndTriggers(on: "visits", except: [Self.visitsByHousehold])
        var householdIndexKept = !staged
        // The reader checked every value the visit log's CHECK constraints would (an id is its 16
        // bytes, a method and an outcome among theirs). One of them calls a function
        // (`length(id)`), and a statement that calls one may fail part way, so SQLite kept a
        // statement journal for every batch of rows: 1.4 GB written for twenty million visits.
        // They are back on once the rows are in (and after any import: `importSeeds`).
        try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
        let insert = try BatchInsert(db, table: "visits", columns: VisitReader.columns)
        let budget = options.maxProblems - problems.count
        // Rows are read and checked on another thread while this one writes the rows before them.
        let reader = VisitReader(file: file, households: households, people: people, calendar: calendar,
                                 latestAllowed: latestAllowed, problemBudget: budget, progress: options.progress)
        let channel = Channel<VisitBatch>(capacity: 8)
        DispatchQueue.global(qos: .userInitiated).async {
            var reader = reader
            while let batch = reader.nextBatch(size: 8 * BatchInsert.rowsPerBatch) { channel.send(batch) }
            channel.close()
        }
        defer { channel.drain() }
        // The rows' own problems; an id twice in the file is found after (DuplicateVisitIds).
        var checked: [ImportProblem] = []
        var checkedTruncated = false
        var written = 0
        var stagedUpTo: Int64 = 0
        var matches = StagedVisitMatches(maxRowid: staged ? try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM main.visits") ?? 0 : 0)
        var duplicated = false
        while let batch = channel.receive() {
            summary.rows += batch.rowCount
            checked += batch.problems
            if batch.truncated { checkedTruncated = true }
            guard writing, checked.isEmpty else { continue }
            if householdIndexKept && !batch.inHouseholdOrder {
                suspended += try suspendIndexesAndTriggers(on: "visits", named: [Self.visitsByHousehold])
                householdIndexKept = false
            }
            try insert.insert(batch.rows)
            written += batch.rows.count
            // Staged: only what the database does not hold already stays.
            if staged {
                let dropped = try ImportStaging.dropUnchangedVisits(db, after: stagedUpTo, matches: &matches)
                stagedUpTo = dropped.checked
                if dropped.duplicate { duplicated = true }
            }
        }
        try db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
        let loaded = Date()
        // The visit log's unique index on id, built again, is the check for ids twice in the file.
        do {
            try restore(suspended, on: "visits")
            if staged && writing && checked.isEmpty { try ImportStaging.indexStagedVisits(db) }
        } catch where DuplicateVisitIds.isDuplicateKey(error) {
            duplicated = true
        }
        let indexed = Date()
        defer {
            options.logger.debug("visits written", metadata: [
                "rows_and_checks_seconds": "\(String(format: "%.3f", loaded.timeIntervalSince(started)))",
                "index_seconds": "\(String(format: "%.3f", indexed.timeIntervalSince(loaded)))",
                "dates_seconds": "\(String(format: "%.3f", Date().timeIntervalSince(indexed)))",
            ])
        }
        // Refused (for any problem, here or in the files before): every duplicate is reported with
        // the others, in line order, within the same limit.
        if duplicated || !checked.isEmpty || !writing {
            let duplicates = try DuplicateVisitIds.problems(in: file, limit: budget, db: db)
            if duplicated && duplicates.problems.isEmpty {
                // SQLite saw two rows with one id that the file does not have: not the file's problem.
                throw GridbookError.conflict("the visit log holds an id twice that visits.csv does not; nothing was written")
            }
            DuplicateVisitIds.merge(checked, duplicates.problems).forEach { report($0) }
            if checkedTruncated || duplicates.more { truncated = true }
        }
        guard writing, written > 0 else { return }
        if staged {
            (summary.added, summary.updated) = try ImportStaging.visitCounts(db)
            return
        }
        summary.added = written
        // A first import: no household has dates yet, and every one is written. The index on
        // them, left off when the households were loaded (visits are written only after them,
        // in a first import), is built after, once, as the visits' are (kept up to date row by
        // row, it was a fifth of this step).
        try refreshLastMet(db, rewrite: true)
        try restoreDueIndex()
        datesRefreshed = true
    }
}
