import GRDB
import GRDBSQLite

/// A prepared statement executed straight through SQLite's C API, for the import's bulk writes.
///
/// At millions of rows GRDB's per-execution bookkeeping (observation, region tracking) and a
/// copy of every bound string cost more than the insert itself. The arguments are laid out in
/// one reused buffer and bound without copies. Use only inside a transaction the importer
/// owns, where no observer needs to hear of the changes.
struct BulkStatement {
    private let statement: Statement
    private let connection: OpaquePointer?
    private var buffer: [UInt8] = []
    private var ranges: [Range<Int>?] = []

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        connection = db.sqliteConnection
        buffer.reserveCapacity(4096)
    }

    /// Runs the statement with text (or NULL) arguments and returns the number of rows it changed.
    @discardableResult
    mutating func run(_ values: [String?]) throws -> Int {
        buffer.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        for value in values {
            if let value {
                let start = buffer.count
                buffer.append(contentsOf: value.utf8)
                ranges.append(start..<buffer.count)
            } else {
                ranges.append(nil)
            }
        }
        let sqlite = statement.sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let code: Int32 = buffer.withUnsafeBufferPointer { bytes in
            sqlite3_reset(sqlite)
            for (index, range) in ranges.enumerated() {
                let position = Int32(index + 1)
                let bound: Int32
                if let range, let base = bytes.baseAddress, !range.isEmpty {
                    // SQLITE_STATIC (nil): the bytes stay put until the statement is stepped below.
                    let pointer = UnsafeRawPointer(base + range.lowerBound).assumingMemoryBound(to: CChar.self)
                    bound = sqlite3_bind_text(sqlite, position, pointer, Int32(range.count), nil)
                } else if range != nil {
                    bound = sqlite3_bind_text(sqlite, position, "", 0, transient)
                } else {
                    bound = sqlite3_bind_null(sqlite, position)
                }
                guard bound == SQLITE_OK else { return bound }
            }
            let stepped = sqlite3_step(sqlite)
            // Unbind before the buffer moves, so no pointer into it outlives this call.
            sqlite3_clear_bindings(sqlite)
            sqlite3_reset(sqlite)
            return stepped
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
struct BatchInsert {
    private var batch: BulkStatement
    private var single: BulkStatement
    private let width: Int
    private let rowsPerBatch: Int
    private var pending: [String?] = []

    /// Prepares inserts of `columns` into `table`, `rowsPerBatch` rows per statement.
    init(_ db: Database, table: String, columns: [String], rowsPerBatch: Int = 64) throws {
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        let head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        batch = try BulkStatement(db, sql: head + Array(repeating: placeholders, count: rowsPerBatch).joined(separator: ", "))
        single = try BulkStatement(db, sql: head + placeholders)
        width = columns.count
        self.rowsPerBatch = rowsPerBatch
        pending.reserveCapacity(columns.count * rowsPerBatch)
    }

    /// Queues one row (one value per column), writing a batch when enough are queued.
    mutating func append(_ row: [String?]) throws {
        pending.append(contentsOf: row)
        if pending.count == width * rowsPerBatch {
            try batch.run(pending)
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// Writes the rows still queued.
    mutating func finish() throws {
        var start = 0
        while start < pending.count {
            try single.run(Array(pending[start..<(start + width)]))
            start += width
        }
        pending.removeAll()
    }
}
