import GRDB
import GRDBSQLite

/// Reads the rows of a query straight through SQLite's C API, for the few queries that read
/// every household of a county, where a row object per row costs more than the query.
struct RawRows {
    private let sqlite: SQLiteStatement

    /// The current row's text in `column`, or nil when it is NULL.
    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(sqlite, column) else { return nil }
        return String(cString: pointer)
    }

    /// The current row's `YYYY-MM-DD` date in `column`, parsed in place; nil when NULL or not a date.
    func date(_ column: Int32) -> LocalDate? {
        guard let pointer = sqlite3_column_text(sqlite, column) else { return nil }
        return LocalDate(bytes: UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(sqlite, column))))
    }

    /// The current row's integer in `column`, or nil when it is NULL.
    func int(_ column: Int32) -> Int? {
        sqlite3_column_type(sqlite, column) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(sqlite, column))
    }

    /// Runs `query` and calls `body` with each row. The statement is prepared once per
    /// connection and kept (`body` must not run the same query).
    static func forEach(_ db: Database, _ query: SQL, _ body: (RawRows) throws -> Void) throws {
        let statement = try db.cachedStatement(literal: query)
        try withExtendedLifetime(statement) {
            try forEach(statement, db, body)
        }
    }

    private static func forEach(_ statement: Statement, _ db: Database, _ body: (RawRows) throws -> Void) throws {
        let sqlite = statement.sqliteStatement
        sqlite3_reset(sqlite)
        defer { sqlite3_reset(sqlite) }
        let rows = RawRows(sqlite: sqlite)
        while true {
            let code = sqlite3_step(sqlite)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code),
                                    message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) },
                                    sql: statement.sql)
            }
            try body(rows)
        }
    }
}
