import GRDB
import GRDBSQLite

/// An import into a database that already holds a county, staged so that the server's writes go
/// on while it runs (issue 11).
///
/// The importer reads and checks every file against temporary copies of the seed tables, in
/// SQLite's `temp` schema, which unqualified table names reach before `main`: the importer's own
/// statements run on the copies unchanged, under a read snapshot of the database and without its
/// write lock. Triggers on the copies note every record the import adds or changes. One short
/// transaction then applies just those records to the database, so its write lock is held for
/// what changed (none at all when nothing did), not for reading the files.
///
/// Visits are not copied (millions of rows): they are staged in an empty `temp.visits`, and the
/// rows the database already holds unchanged are dropped batch by batch as they come.
struct ImportStaging {
    /// A seed table the importer writes, and how its changes reach the database.
    struct Table {
        let name: String
        /// The columns the import writes (the others are kept by the server: a household's dates).
        let columns: [String]
        /// The upsert key in the database.
        let key: [String]
        /// The column noted when a row changes: the record's key, or its parent's for a list.
        let noted: String
        /// Whether the table is a list of a parent's members, replaced whole when it changes.
        var isList = false
        /// The order rows are applied in (a unit's parent before the unit).
        var order = ""
    }

    /// In the order they are applied: what a row refers to comes first.
    static let tables: [Table] = [
        Table(name: "issue_categories", columns: ["code", "label", "kind"], key: ["code"], noted: "code"),
        Table(name: "holidays", columns: ["date", "kind", "name"], key: ["date"], noted: "date"),
        Table(name: "categories", columns: ["code", "label", "interval_days"], key: ["code"], noted: "code"),
        Table(name: "units", columns: ["code", "name", "level", "parent_code"], key: ["code"], noted: "code",
              order: "ORDER BY CASE level WHEN 'county' THEN 0 WHEN 'township' THEN 1 WHEN 'village' THEN 2 WHEN 'grid' THEN 3 ELSE 4 END"),
        Table(name: "people", columns: ["id", "name", "phone", "id_number"], key: ["id"], noted: "id"),
        // A duty's id is the database's own: new duties get theirs there, matched by their key.
        Table(name: "duties", columns: ["person_id", "role", "unit_code", "since", "until"],
              key: ["person_id", "role", "unit_code", "since"], noted: "id"),
        Table(name: "party_groups", columns: ["code", "name", "leader_id"], key: ["code"], noted: "code"),
        Table(name: "party_group_grids", columns: ["group_code", "grid_code"], key: [], noted: "group_code", isList: true),
        Table(name: "party_group_members", columns: ["group_code", "person_id"], key: [], noted: "group_code", isList: true),
        Table(name: "households",
              columns: ["code", "grid_code", "block_code", "address", "head_name", "phone", "members", "registered_on"],
              key: ["code"], noted: "code"),
        Table(name: "household_categories", columns: ["household_code", "category_code"], key: [], noted: "household_code",
              isList: true),
    ]

    static let visitColumns = VisitReader.columns

    /// Whether an import into this database is staged: it holds households already (a county in
    /// use). The first import of a county loads straight into its empty tables, the fast way.
    static func applies(to db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM main.households)") == true
    }

    /// Puts the temporary copies in a file of their own (deleted when closed) rather than in
    /// memory: a county of a million households is hundreds of megabytes. Outside a transaction.
    static func prepare(_ db: Database) throws {
        try db.execute(sql: "PRAGMA temp_store = FILE")
        // Two thirds of the database's own cache (AppDatabase.openForBulkWrite): 64 MiB made a
        // re-import of a million households take 450 MB, 24 MiB 195 MB (the goal is 200).
        try db.execute(sql: "PRAGMA temp.cache_size = -16384")
    }

    /// Makes the temporary copies and the triggers that note changes, inside the caller's
    /// (deferred) transaction: the copies are one snapshot of the database.
    static func create(_ db: Database) throws {
        try db.execute(sql: "CREATE TEMP TABLE gb_changed (tbl TEXT NOT NULL, item NOT NULL, PRIMARY KEY (tbl, item)) WITHOUT ROWID")
        for table in tables + [Table(name: "visits", columns: visitColumns, key: ["id"], noted: "id")] {
            guard let definition = try String.fetchOne(db, sql: "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?",
                                                       arguments: [table.name]),
                  definition.hasPrefix("CREATE TABLE ") else {
                throw GridbookError.invalid(field: "schema", problem: "table \(table.name) is missing")
            }
            try db.execute(sql: "CREATE TEMP TABLE " + definition.dropFirst("CREATE TABLE ".count))
            guard table.name != "visits" else { continue }
            let name = table.name.quotedDatabaseIdentifier
            try db.execute(sql: "INSERT INTO temp.\(name) SELECT * FROM main.\(name)")
            let note = { (row: String) in
                "INSERT OR IGNORE INTO gb_changed (tbl, item) VALUES ('\(table.name)', \(row).\(table.noted)); END"
            }
            try db.execute(sql: """
                CREATE TEMP TRIGGER \("gb_added_\(table.name)".quotedDatabaseIdentifier) AFTER INSERT ON temp.\(name) BEGIN \(note("NEW"))
                """)
            if table.isList {
                try db.execute(sql: """
                    CREATE TEMP TRIGGER \("gb_removed_\(table.name)".quotedDatabaseIdentifier) AFTER DELETE ON temp.\(name) BEGIN \(note("OLD"))
                    """)
            } else {
                try db.execute(sql: """
                    CREATE TEMP TRIGGER \("gb_changed_\(table.name)".quotedDatabaseIdentifier) AFTER UPDATE ON temp.\(name) BEGIN \(note("NEW"))
                    """)
            }
        }
    }

    /// Drops the staged visits that the database already holds exactly as staged, from `rowid`
    /// on, and notes in `matches` every database visit a staged row has the id of. Returns the
    /// last staged rowid, where the next call starts, and whether a row had the id of a visit an
    /// earlier row had (an id twice in the file).
    static func dropUnchangedVisits(_ db: Database, after rowid: Int64,
                                    matches: inout StagedVisitMatches) throws -> (checked: Int64, duplicate: Bool) {
        let same = visitColumns.dropFirst().map { "m.\($0) IS t.\($0)" }.joined(separator: " AND ")
        // The staged rows drive the join (by rowid), each looking its visit up by id.
        let statement = try db.cachedStatement(sql: """
            SELECT t.rowid, m.rowid, \(same) FROM temp.visits AS t CROSS JOIN main.visits AS m ON m.id = t.id WHERE t.rowid > ?
            """)
        let sqlite = statement.sqliteStatement
        var duplicate = false
        var unchanged = "["
        sqlite3_reset(sqlite)
        defer { sqlite3_reset(sqlite) }
        sqlite3_bind_int64(sqlite, 1, rowid)
        while true {
            let code = sqlite3_step(sqlite)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                    sql: statement.sql)
            }
            if !matches.insert(sqlite3_column_int64(sqlite, 1)) { duplicate = true }
            if sqlite3_column_int(sqlite, 2) != 0 {
                if unchanged.count > 1 { unchanged += "," }
                unchanged += String(sqlite3_column_int64(sqlite, 0))
            }
        }
        if unchanged.count > 1 {
            try db.execute(sql: "DELETE FROM temp.visits WHERE rowid IN (SELECT value FROM json_each(?))", arguments: [unchanged + "]"])
        }
        return (try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM temp.visits") ?? rowid, duplicate)
    }

    /// Indexes the staged visits by id once they are all in: the index refuses two staged rows
    /// with one id (an error whose ``DuplicateVisitIds/isDuplicateKey(_:)`` holds), and applying
    /// them reads them in id order.
    static func indexStagedVisits(_ db: Database) throws {
        try db.execute(sql: "CREATE UNIQUE INDEX temp.gb_staged_visit_ids ON visits(id)")
    }

    /// How many staged visits are new to the database, and how many change one it holds.
    static func visitCounts(_ db: Database) throws -> (added: Int, updated: Int) {
        let staged = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM temp.visits") ?? 0
        let updated = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM temp.visits WHERE EXISTS (SELECT 1 FROM main.visits AS m WHERE m.id = temp.visits.id)
            """) ?? 0
        return (staged - updated, updated)
    }

    /// Applies what the import changed to the database, inside the caller's immediate
    /// transaction, and drops the copies; then brings the changed households' dates up to date
    /// (every household's, when a category changed: its interval may have).
    static func apply(_ db: Database, progress: (@Sendable (String, Double, Int?) -> Void)?) throws {
        // The files were checked against a snapshot; a block moved with its households since
        // (`gridbook unit move`) must not be put back under its old grid without them.
        if let moved = try String.fetchOne(db, sql: """
            SELECT t.code FROM temp.units AS t JOIN main.units AS m ON m.code = t.code
            WHERE t.level = 'block' AND m.parent_code IS NOT t.parent_code
              AND t.code IN (SELECT item FROM temp.gb_changed WHERE tbl = 'units')
              AND EXISTS (SELECT 1 FROM main.households WHERE block_code = t.code)
            LIMIT 1
            """) {
            throw GridbookError.conflict("block \(moved) was moved while the import read its files, and units.csv gives it another grid; nothing was written: import again")
        }
        let steps = Double(tables.count + 2)
        for (index, table) in tables.enumerated() {
            progress?("applying changes", Double(index) / steps, nil)
            let name = table.name.quotedDatabaseIdentifier
            let columns = table.columns.joined(separator: ", ")
            let changed = "\(table.noted) IN (SELECT item FROM temp.gb_changed WHERE tbl = '\(table.name)')"
            if table.isList {
                try db.execute(sql: "DELETE FROM main.\(name) WHERE \(changed)")
                try db.execute(sql: "INSERT INTO main.\(name) (\(columns)) SELECT \(columns) FROM temp.\(name) WHERE \(changed)")
            } else {
                let others = table.columns.filter { !table.key.contains($0) }.map { "\($0) = excluded.\($0)" }
                try db.execute(sql: """
                    INSERT INTO main.\(name) (\(columns)) SELECT \(columns) FROM temp.\(name) WHERE \(changed) \(table.order)
                    ON CONFLICT (\(table.key.joined(separator: ", "))) DO UPDATE SET \(others.joined(separator: ", "))
                    """)
            }
        }
        progress?("applying changes", Double(tables.count) / steps, nil)
        // A visit may move to another household: the one it leaves needs its dates again too.
        try db.execute(sql: """
            CREATE TEMP TABLE gb_changed_households AS
            SELECT item AS code FROM temp.gb_changed WHERE tbl IN ('households', 'household_categories')
            UNION SELECT household_code FROM temp.visits
            UNION SELECT m.household_code FROM main.visits AS m JOIN temp.visits AS t ON t.id = m.id
            """)
        let visitColumns = visitColumns.joined(separator: ", ")
        let visitUpdates = Self.visitColumns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        try db.execute(sql: """
            INSERT INTO main.visits (\(visitColumns)) SELECT \(visitColumns) FROM temp.visits WHERE true ORDER BY id
            ON CONFLICT (id) DO UPDATE SET \(visitUpdates)
            """)
        progress?("applying changes", Double(tables.count + 1) / steps, nil)
        let categoriesChanged = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM temp.gb_changed WHERE tbl = 'categories')") == true
        try drop(db, keepingHouseholds: true)
        // The copies are gone: unqualified names are the database's tables again.
        let changedHouseholds: SQL = "code IN (SELECT code FROM temp.gb_changed_households)"
        try refreshLastMet(db, only: changedHouseholds)
        if categoriesChanged { try refreshDueOn(db) }
        try db.execute(sql: "DROP TABLE temp.gb_changed_households")
        progress?("applying changes", 1, nil)
    }

    /// Drops the copies (after the import, or when it failed).
    static func drop(_ db: Database, keepingHouseholds: Bool = false) throws {
        for table in tables.map(\.name) + ["visits", "gb_changed"] {
            try db.execute(sql: "DROP TABLE IF EXISTS temp.\(table.quotedDatabaseIdentifier)")
        }
        if !keepingHouseholds {
            try db.execute(sql: "DROP TABLE IF EXISTS temp.gb_changed_households")
            // Index builds sort in memory again (AppDatabase.makeConfiguration).
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
    }
}
