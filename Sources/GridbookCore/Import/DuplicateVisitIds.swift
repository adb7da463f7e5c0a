import GRDB
import GRDBSQLite

/// Finds the visit ids that appear twice in visits.csv without keeping the ids in memory.
///
/// Reading the rows, the importer does not look for duplicates: keeping every id read so far
/// took a gigabyte at 20 million visits. Whether there is one at all is known once the rows are
/// in, from SQLite (the visit log's unique index on `id`, built at the end of a first import; a
/// staged import's ``StagedVisitMatches`` and the staged table's own index). Only then, or when
/// the import is refused anyway for other problems, ``problems(in:limit:db:)`` reads the file
/// again for the lines, so that every duplicate is reported as it was when the reader kept the
/// ids: `visits.csv:LINE: id: ID appears twice in the file (first on line N)`.
enum DuplicateVisitIds {
    /// The duplicates of `file` (a copy made before its rows were read), in line order: the first
    /// `limit` of them, and whether there are more. Rows that are malformed or whose id is not a
    /// UUID take no part, as when the reader checked them; every other row does, good or bad.
    static func problems(in file: SeedFile, limit: Int, db: Database) throws -> (problems: [ImportProblem], more: Bool) {
        guard limit > 0, let column = file.position("id") else { return ([], false) }
        var file = file
        file.rewindPageRelease()
        try db.execute(sql: "DROP TABLE IF EXISTS temp.gb_visit_ids")
        // `shown` is the id as the row has it, when that is not the canonical lowercase form.
        try db.execute(sql: "CREATE TEMP TABLE gb_visit_ids (id TEXT NOT NULL, line INTEGER NOT NULL, shown TEXT)")
        defer { try? db.execute(sql: "DROP TABLE IF EXISTS temp.gb_visit_ids") }
        let insert = try BatchInsert(db, table: "temp.gb_visit_ids", columns: ["id", "line", "shown"])
        var rows = EncodedRows(width: 3, capacity: 4096)
        while file.nextRow(report: { _ in }) {
            let line = file.line
            file.withTrimmedBytes(at: column) { bytes in
                guard let key = UUIDKey(bytes: bytes) else { return }
                let canonical = key.description
                rows.appendValue(canonical)
                rows.appendValue(String(line))
                if bytes.elementsEqual(canonical.utf8) {
                    rows.append([nil])
                } else {
                    rows.appendValue(bytes: bytes)
                }
            }
            if rows.count >= 4096 {
                try insert.insert(rows)
                rows.removeAll()
            }
        }
        try insert.insert(rows)
        let found = try Row.fetchAll(db, sql: """
            SELECT line, first, COALESCE(shown, id) FROM (
                SELECT id, line, shown, MIN(line) OVER (PARTITION BY id) AS first FROM temp.gb_visit_ids)
            WHERE line > first ORDER BY line LIMIT ?
            """, arguments: [limit + 1])
        let problems = found.prefix(limit).map { row in
            ImportProblem(file: file.fileName, line: row[0], column: "id",
                          problem: "\(row[2] as String) appears twice in the file (first on line \(row[1] as Int))")
        }
        return (problems, found.count > limit)
    }

    /// `checked` (the rows' own problems, in line order) with `duplicates` among them: in line
    /// order, a row's id first, as the reader reported them.
    static func merge(_ checked: [ImportProblem], _ duplicates: [ImportProblem]) -> [ImportProblem] {
        var merged: [ImportProblem] = []
        merged.reserveCapacity(checked.count + duplicates.count)
        var next = 0
        for problem in checked {
            while next < duplicates.count, duplicates[next].line <= problem.line {
                merged.append(duplicates[next])
                next += 1
            }
            merged.append(problem)
        }
        return merged + duplicates[next...]
    }

    /// Whether an error is SQLite refusing a unique index because two rows share its key.
    static func isDuplicateKey(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT
    }
}

/// The database's visits that a staged import's rows match by id (a bit a rowid): a second row
/// matching the same visit is an id that appears twice in the file. A megabit per million
/// visits, where a set of ids took tens of bytes each.
struct StagedVisitMatches {
    private var words: [UInt64]
    /// Rowids past the bits' range (SQLite numbers rows one after another, so rarely any).
    private var beyond: Set<Int64> = []

    /// Room for the visits of rowid 1 to `maxRowid`.
    init(maxRowid: Int64) {
        words = Array(repeating: 0, count: Int(max(0, min(maxRowid, 1 << 28)) / 64 + 1))
    }

    /// Notes a match of visit `rowid`; false when a row matched it before.
    mutating func insert(_ rowid: Int64) -> Bool {
        guard rowid >= 0, rowid / 64 < Int64(words.count) else { return beyond.insert(rowid).inserted }
        let word = Int(rowid / 64), bit = UInt64(1) << UInt64(rowid % 64)
        guard words[word] & bit == 0 else { return false }
        words[word] |= bit
        return true
    }

    /// Whether a row matched visit `rowid`.
    func contains(_ rowid: Int64) -> Bool {
        guard rowid >= 0, rowid / 64 < Int64(words.count) else { return beyond.contains(rowid) }
        return words[Int(rowid / 64)] & (UInt64(1) << UInt64(rowid % 64)) != 0
    }
}
