import GRDB
import GRDBSQLite

/// Rows of text values laid out in one byte buffer, ready to bind without copies.
struct EncodedRows: Sendable {
    /// Values per row.
    let width: Int
    /// The column whose values are bytes (a BLOB: a visit id's ``UUIDKey/storedBytes``), not text.
    let blobColumn: Int?
    private(set) var bytes: [UInt8] = []
    /// Where each value lies in `bytes`, row after row; nil for NULL.
    private(set) var ranges: [Range<Int>?] = []

    init(width: Int, capacity: Int = 0, blobColumn: Int? = nil) {
        self.width = width
        self.blobColumn = blobColumn
        bytes.reserveCapacity(capacity * width * 24)
        ranges.reserveCapacity(capacity * width)
    }

    /// The number of rows.
    var count: Int { ranges.count / width }

    /// Removes every row, keeping the buffers.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
    }

    /// Adds one value of a row, from UTF-8 bytes.
    mutating func appendValue(bytes value: UnsafeBufferPointer<UInt8>) {
        let start = bytes.count
        bytes.append(contentsOf: value)
        ranges.append(start..<bytes.count)
    }

    /// Adds a visit id as the 16 bytes it is stored as (in the ``blobColumn``).
    mutating func appendValue(storedId key: UUIDKey) {
        let start = bytes.count
        key.appendStoredBytes(to: &bytes)
        ranges.append(start..<bytes.count)
    }

    /// Adds one value of a row.
    mutating func appendValue(_ value: String) {
        let start = bytes.count
        bytes.append(contentsOf: value.utf8)
        ranges.append(start..<bytes.count)
    }

    /// Adds a row: `width` values.
    mutating func append(_ values: [String?]) {
        for value in values {
            if let value {
                let start = bytes.count
                bytes.append(contentsOf: value.utf8)
                ranges.append(start..<bytes.count)
            } else {
                ranges.append(nil)
            }
        }
    }
}

/// A prepared statement executed straight through SQLite's C API, for the import's bulk writes.
///
/// At millions of rows GRDB's per-execution bookkeeping (observation, region tracking) and a
/// copy of every bound string cost more than the insert itself: values are bound in place from
/// an ``EncodedRows`` buffer. Use only inside a transaction the importer owns, where no observer
/// needs to hear of the changes.
struct BulkStatement {
    private let statement: Statement
    private let connection: OpaquePointer?
    private var scratch: EncodedRows

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        connection = db.sqliteConnection
        scratch = EncodedRows(width: Int(sqlite3_bind_parameter_count(statement.sqliteStatement)))
    }

    /// Runs the statement with text (or NULL) arguments and returns the number of rows it changed.
    @discardableResult
    mutating func run(_ values: [String?]) throws -> Int {
        scratch.removeAll()
        scratch.append(values)
        return try run(scratch, rows: 0..<1)
    }

    /// Runs the statement with the values of `rows` of `encoded` as its arguments, in order, and
    /// returns the number of rows it changed.
    @discardableResult
    func run(_ encoded: EncodedRows, rows: Range<Int>) throws -> Int {
        let sqlite = statement.sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let code: Int32 = encoded.bytes.withUnsafeBufferPointer { bytes in
            // Unbind before the buffer can move, so no pointer into it outlives this call.
            defer {
                sqlite3_clear_bindings(sqlite)
                sqlite3_reset(sqlite)
            }
            sqlite3_reset(sqlite)
            let first = rows.lowerBound * encoded.width
            for index in first..<(rows.upperBound * encoded.width) {
                let position = Int32(index - first + 1)
                let bound: Int32
                if let range = encoded.ranges[index], let base = bytes.baseAddress, !range.isEmpty {
                    // SQLITE_STATIC (nil): the bytes stay put until the statement is stepped below.
                    if index % encoded.width == encoded.blobColumn {
                        bound = sqlite3_bind_blob(sqlite, position, base + range.lowerBound, Int32(range.count), nil)
                    } else {
                        let pointer = UnsafeRawPointer(base + range.lowerBound).assumingMemoryBound(to: CChar.self)
                        bound = sqlite3_bind_text(sqlite, position, pointer, Int32(range.count), nil)
                    }
                } else if encoded.ranges[index] != nil {
                    bound = sqlite3_bind_text(sqlite, position, "", 0, transient)
                } else {
                    bound = sqlite3_bind_null(sqlite, position)
                }
                guard bound == SQLITE_OK else { return bound }
            }
            return sqlite3_step(sqlite)
        }
        guard code == SQLITE_DONE else { throw error(code) }
        return Int(sqlite3_changes(connection))
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code),
                      message: connection.map { String(cString: sqlite3_errmsg($0)) },
                      sql: statement.sql)
    }
}

/// Inserts rows into a table many at a time (`INSERT … VALUES (…), (…), …`), which spends far
/// less per row on statement execution than one row per statement.
///
/// The statements are `INSERT OR FAIL`: a row that breaks a constraint stops its statement with
/// the same error as a plain `INSERT`, but without taking back the rows the statement put in
/// before it. So SQLite need keep no statement journal for them: for each statement, a copy of
/// every page it changes that was there before it (the last leaf and its parents in the table
/// and in each index kept up to date), which was written to a temporary file. (It still keeps
/// one when a constraint calls a function, which SQLite counts as able to fail part way: the
/// visit log's `length(id)`; its load turns CHECK constraints off.) Only for a transaction that
/// is rolled back whole on any error, as the importer's are.
struct BatchInsert {
    private let batch: BulkStatement
    private let single: BulkStatement
    /// Rows per multi-row statement. (8 columns × 512 rows is 4,096 parameters; SQLite allows 32,766.)
    static let rowsPerBatch = 512

    /// Prepares inserts of `columns` into `table`.
    init(_ db: Database, table: String, columns: [String]) throws {
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        let head = "INSERT OR FAIL INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        batch = try BulkStatement(db, sql: head + Array(repeating: placeholders, count: Self.rowsPerBatch).joined(separator: ", "))
        single = try BulkStatement(db, sql: head + placeholders)
    }

    /// Inserts every row of `encoded`.
    func insert(_ encoded: EncodedRows) throws {
        var start = 0
        while start + Self.rowsPerBatch <= encoded.count {
            try batch.run(encoded, rows: start..<(start + Self.rowsPerBatch))
            start += Self.rowsPerBatch
        }
        while start < encoded.count {
            try single.run(encoded, rows: start..<(start + 1))
            start += 1
        }
    }
}
