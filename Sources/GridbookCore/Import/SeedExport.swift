import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an export writes its text files.
public enum ExportEncoding: String, Sendable, CaseIterable {
    /// UTF-8 with a byte-order mark, so that Excel opens it as UTF-8 (without one, Excel in China
    /// reads a CSV file as GB18030 and shows mojibake).
    case utf8 = "utf-8"
    /// What spreadsheet programs in China write themselves.
    case gb18030
}

/// The form of an export's files.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// CSV text, in the chosen encoding.
    case csv
    /// One .xlsx workbook per file, every cell text.
    case xlsx
}

/// What an export wrote: each file with its rows.
public struct ExportSummary: Equatable, Sendable {
    /// One file written and its rows (the header not counted).
    public struct File: Equatable, Sendable {
        public var name: String
        public var rows: Int
    }

    public var files: [File]
    /// The party groups left out of a unit's export because they also pair grids outside it:
    /// their grid lists, cut to the unit, would take the other grids from them when imported back.
    public var groupsLeftOut: [String] = []
}

extension AppDatabase {
    /// Writes the database's seed files (SPEC section 4) into `directory`, or those of one unit's
    /// part of it (the unit, its ancestors, everything under it, the people on duty there and
    /// their visits): files an import reads back to the same records. Phone and ID numbers are
    /// masked unless `revealTo` is a county admin, which is audited. Each file is written under a
    /// temporary name and renamed when complete, row by row (a county's visits never sit in
    /// memory at once), in one read transaction (a consistent picture while others write).
    public func exportSeeds(to directory: URL, format: ExportFormat = .csv, encoding: ExportEncoding = .utf8, unit: String? = nil, revealTo caller: Caller? = nil,
                            by actor: Actor = .system, progress: (@Sendable (String, Double) -> Void)? = nil) async throws -> ExportSummary {
        if let caller, !caller.may(.revealPersonalData) {
            throw GridbookError.notAllowed("only \(Permission.revealPersonalData.holders) may export personal data unmasked")
        }
        let reveal = caller != nil
        let summary = try await read { db in
            var exporter = try SeedExporter(db: db, directory: directory, format: format, encoding: encoding, unit: unit, reveal: reveal, progress: progress)
            return try exporter.run()
        }
        if reveal {
            try await write { db in
                try Audit.record(db, actor, "export.reveal", "unit", unit ?? "county",
                                 detail: "unmasked export to \(directory.path)", at: clock.now())
            }
        }
        return summary
    }
}

/// One export under way.
private struct SeedExporter {
    let db: Database
    let directory: URL
    let format: ExportFormat
    let encoding: ExportEncoding
    let reveal: Bool
    let progress: (@Sendable (String, Double) -> Void)?
    /// The units exported (SQL), and the top one's ancestors, which an import needs first.
    let units: SQL
    let ancestors: [String]
    /// The unit whose part is exported, or nil for the whole county.
    let unit: String?

    init(db: Database, directory: URL, format: ExportFormat, encoding: ExportEncoding, unit: String?, reveal: Bool,
         progress: (@Sendable (String, Double) -> Void)?) throws {
        self.db = db
        self.directory = directory
        self.format = format
        self.encoding = encoding
        self.reveal = reveal
        self.progress = progress
        self.unit = unit
        if let unit {
            units = try Hierarchy.codesSQL(atOrUnder: unit, db)
            ancestors = Array(try Hierarchy.chain(db, of: unit).dropFirst())
        } else {
            units = "(SELECT code FROM units)"
            ancestors = []
        }
    }

    mutating func run() throws -> ExportSummary {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var files: [ExportSummary.File] = []
        let households: SQL = "(SELECT code FROM households WHERE grid_code IN \(units))"
        // The party groups wholly inside: a group that also pairs grids outside the unit would be
        // written with part of its grids, and importing the files back would cut it to them.
        let groups: SQL = """
            (SELECT group_code FROM party_group_grids WHERE grid_code IN \(units)
             EXCEPT SELECT group_code FROM party_group_grids WHERE grid_code NOT IN \(units))
            """
        let leftOut = unit == nil ? [] : try SQLRequest<String>(literal: """
            SELECT DISTINCT group_code FROM party_group_grids WHERE grid_code IN \(units) AND group_code NOT IN \(groups) ORDER BY group_code
            """).fetchAll(db)
        // Everyone a file refers to: on duty there, in or leading its party groups, or visiting
        // its households (county staff, say).
        let people: SQL = unit == nil ? "(SELECT id FROM people)" : """
            (SELECT person_id FROM duties WHERE unit_code IN \(units)
             UNION SELECT person_id FROM party_group_members WHERE group_code IN \(groups)
             UNION SELECT leader_id FROM party_groups WHERE code IN \(groups) AND leader_id IS NOT NULL
             UNION SELECT visitor_id FROM visits WHERE household_code IN \(households))
            """
        let exports: [(SeedFileName, SQL)] = [
            (.issueCategories, "SELECT code, label, kind FROM issue_categories ORDER BY rowid"),
            (.holidays, "SELECT date, kind, name FROM holidays ORDER BY date"),
            (.categories, "SELECT code, label, interval_days FROM categories ORDER BY rowid"),
            // Parents before children: an import checks each parent as it goes.
            (.units, """
                WITH RECURSIVE ordered(code, depth) AS (
                    SELECT code, 0 FROM units WHERE parent_code IS NULL
                    UNION ALL SELECT units.code, ordered.depth + 1 FROM units JOIN ordered ON units.parent_code = ordered.code
                )
                SELECT units.code, name, level, IFNULL(parent_code, '') FROM units JOIN ordered USING (code)
                WHERE units.code IN \(units) OR units.code IN \(ancestors)
                ORDER BY depth, units.code
                """),
            (.people, "SELECT id, name, IFNULL(phone, ''), IFNULL(id_number, '') FROM people WHERE id IN \(people) ORDER BY id"),
            (.duties, "SELECT person_id, role, unit_code, since, IFNULL(until, '') FROM duties WHERE unit_code IN \(units) ORDER BY id"),
            (.partyGroups, """
                SELECT code, name, IFNULL(leader_id, ''),
                       (SELECT GROUP_CONCAT(grid_code, ';') FROM (SELECT grid_code FROM party_group_grids
                                                                WHERE group_code = code ORDER BY grid_code)),
                       IFNULL((SELECT GROUP_CONCAT(person_id, ';') FROM (SELECT person_id FROM party_group_members
                                                                        WHERE group_code = code ORDER BY person_id)), '')
                FROM party_groups WHERE code IN \(groups) ORDER BY code
                """),
            (.households, """
                SELECT code, grid_code, IFNULL(block_code, ''), address, head_name, IFNULL(phone, ''), members,
                       IFNULL((SELECT GROUP_CONCAT(category_code, ';') FROM (SELECT category_code FROM household_categories
                                                                            WHERE household_code = code ORDER BY category_code)), ''),
                       registered_on
                FROM households WHERE grid_code IN \(units) ORDER BY code
                """),
            (.visits, "SELECT id, household_code, visitor_id, visited_at, method, outcome, note FROM visits WHERE household_code IN \(households) ORDER BY rowid"),
        ]
        for (name, query) in exports {
            files.append(ExportSummary.File(name: format == .xlsx ? name.stem + ".xlsx" : name.rawValue, rows: try write(name, query)))
        }
        return ExportSummary(files: files, groupsLeftOut: leftOut)
    }

    /// Writes one file from its query's rows, masking what must be masked; its row count.
    private func write(_ name: SeedFileName, _ query: SQL) throws -> Int {
        let header = name.columns.all
        let masks: [Int: (String) -> String] = switch name {
        case .people: [2: PersonalData.maskPhone, 3: PersonalData.maskIDNumber]
        case .households: [5: PersonalData.maskPhone]
        default: [:]
        }
        let masked = reveal ? [:] : masks
        let fileName = format == .xlsx ? name.stem + ".xlsx" : name.rawValue
        var sink = try Sink(url: directory.appendingPathComponent(fileName), format: format, encoding: encoding)
        do {
            try sink.append(header)
            let (sql, arguments) = try query.build(db)
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            var rows = 0
            var fields: [String] = []
            fields.reserveCapacity(header.count)
            while let row = try cursor.next() {
                fields.removeAll(keepingCapacity: true)
                for index in 0..<header.count {
                    let stored: DatabaseValue = row[index]
                    let value: String = switch stored.storage {
                    case .null: ""
                    // The one stored BLOB: a visit id, written as its text.
                    case .blob: UUIDKey.text(stored: stored) ?? ""
                    case .int64(let number): String(number)
                    case .double(let number): String(number)
                    case .string(let text): text
                    }
                    fields.append(value.isEmpty ? value : masked[index].map { $0(value) } ?? value)
                }
                try sink.append(fields)
                rows += 1
                if rows % 65_536 == 0 { progress?("writing \(fileName)", 0.5) }
            }
            try sink.finish()
            progress?("writing \(fileName)", 1)
            return rows
        } catch {
            sink.cancel()
            throw error
        }
    }
}

/// Where an exported file's rows go: CSV text in the chosen encoding, or a workbook's sheet.
/// Either is written under a temporary name and put in place, whole, when finished.
private struct Sink {
    /// What the rows are written with.
    private enum Writer {
        case csv(FileHandle)
        case workbook(XLSXWriter)
    }

    let url: URL
    let partial: URL
    let encoding: ExportEncoding
    private var writer: Writer
    /// CSV text not yet written (UTF-8; transcoded as it is written).
    private var buffer: [UInt8] = []

    init(url: URL, format: ExportFormat, encoding: ExportEncoding) throws {
        self.url = url
        self.encoding = encoding
        partial = url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".partial")
        switch format {
        case .xlsx:
            writer = .workbook(try XLSXWriter(destination: partial))
        case .csv:
            guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
                throw GridbookError.invalid(field: "directory", problem: "cannot write a file in \(url.deletingLastPathComponent().path) (missing, read-only, or full)")
            }
            writer = .csv(try FileHandle(forWritingTo: partial))
            buffer = encoding == .utf8 ? [0xEF, 0xBB, 0xBF] : []
            buffer.reserveCapacity(1 << 20)
        }
    }

    mutating func append(_ fields: [String]) throws {
        switch writer {
        case .workbook(let workbook):
            try workbook.append(fields)
        case .csv:
            CSVWriter.appendRecord(fields, to: &buffer)
            if buffer.count >= 1 << 20 { try flush() }
        }
    }

    private mutating func flush() throws {
        guard case .csv(let handle) = writer else { return }
        try handle.write(contentsOf: encoding == .utf8 ? buffer : try TextDecoding.transcode(buffer, from: "UTF-8", to: "GB18030"))
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish() throws {
        switch writer {
        case .workbook(let workbook): try workbook.finish()
        case .csv(let handle):
            try flush()
            try handle.close()
        }
        // rename(2) replaces a file of the same name in one step: a reader sees the old file or
        // the new one, never half of one.
        guard rename(partial.path, url.path) == 0 else {
            throw GridbookError.invalid(field: "directory", problem: "cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    func cancel() {
        switch writer {
        case .workbook(let workbook): workbook.cancel()
        case .csv(let handle): try? handle.close()
        }
        try? FileManager.default.removeItem(at: partial)
    }
}
