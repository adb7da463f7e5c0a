import Foundation
import GRDB

/// The Gridbook database: one SQLite file holding a county's hierarchy, households and visits.
///
/// Every write goes through a method of this type and runs in one transaction, so a failed
/// write leaves nothing behind. Reads run concurrently with the writer (WAL).
public struct AppDatabase: Sendable {
    /// Access to the database.
    let writer: any DatabaseWriter
    /// Reports over many households: one per two cores at a time (at least one), so that a few
    /// people refreshing a county report never take every reader, nor every core, from the
    /// grid members logging visits.
    let reports = ReportGate(limit: ProcessInfo.processInfo.activeProcessorCount / 2)
    /// The time now for every rule that needs it; the real clock unless a test sets another.
    public let clock: WallClock
    /// Visits logged at the same moment, committed together (each in its own savepoint).
    let visitWrites = GroupCommit()
    /// Moves with every commit: answers kept in memory are good while it stands still.
    public let generation = DataGeneration()
    /// Backups under way (each holds a snapshot the WAL cannot start over under).
    let backupsRunning = Counter()

    /// Wraps a database connection and brings its schema up to date.
    public init(_ writer: any DatabaseWriter, clock: WallClock = .system) throws {
        self.writer = writer
        self.clock = clock
        if try writer.read({ db in try !Self.migrator.hasCompletedMigrations(db) }) {
            // An upgrade may rebuild a table of millions of rows (v16, the visit log): its index
            // builds sort in temporary files, not in memory (hundreds of megabytes at a county's
            // visits; see openForBulkWrite). The setting cannot change inside the migrations' transaction.
            let tempStore = try writer.read { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") } ?? 0
            try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA temp_store = FILE") }
            defer { try? writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA temp_store = \(tempStore)") } }
            do {
                try Self.migrator.migrate(writer)
            } catch let error as DatabaseError {
                // One line that says what was tried and that the file is as it was (the
                // migrations are one transaction), not the migration's SQL.
                let why = StorageTrouble(error).map { trouble in
                    trouble == .full ? "the disk holding it is full (the upgrade needs free space of about 1.5 times the database)"
                        : trouble.description.components(separatedBy: ";").first ?? trouble.description
                } ?? "\(error.message ?? "SQLite error \(error.resultCode.rawValue)")"
                // v16 refuses a stored visit id that is not a UUID rather than lose it: say which.
                if error.resultCode == .SQLITE_CONSTRAINT, let bad = try? writer.read({ db in
                    try db.tableExists("visits") ? try String.fetchOne(db, sql: "SELECT id FROM visits WHERE gridbook_uuid_bytes(id) IS NULL LIMIT 1") : nil
                }) {
                    throw GridbookError.conflict("the database could not be upgraded to this version of Gridbook, and is as it was: "
                                                 + "the stored visit id \(RecordCode.quoted(bad)) is not a UUID (correct it with the older version)")
                }
                throw GridbookError.conflict("the database could not be upgraded to this version of Gridbook, and is as it was: \(why)")
            }
        }
        writer.add(transactionObserver: generation, extent: .databaseLifetime)
    }

    /// Opens (creating when needed) the database file at `path`, in WAL mode.
    public static func open(path: String, clock: WallClock = .system) throws -> AppDatabase {
        try refuseUpgradeWhileShared(path)
        let pool = try DatabasePool(path: path, configuration: makeConfiguration())
        return try AppDatabase(pool, clock: clock)
    }

    /// When the file at `path` has a schema older than this program's (the next open for writing
    /// upgrades it), the number of visits in it (the upgrade to 16-byte ids rebuilds the visit
    /// log: about 7.5 s a million visits on two cores); nil when it is up to date, new, or cannot
    /// be read here.
    public static func pendingUpgrade(_ path: String) -> Int? {
        readIfUpgradePending(path) { db in try db.tableExists("visits") ? Int.fetchOne(db, sql: "SELECT count(*) FROM visits") ?? 0 : 0 }
    }

    /// `body` over a read-only connection to the file at `path` when its schema is older than
    /// this program's; nil when it is up to date, new, or cannot be read here.
    private static func readIfUpgradePending<T>(_ path: String, _ body: (Database) throws -> T) -> T? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var config = Configuration()
        config.readonly = true
        do {
            let probe = try DatabaseQueue(path: path, configuration: config)
            defer { try? probe.close() }
            return try probe.read { db -> T? in
                guard try db.tableExists("grdb_migrations"), !(try migrator.hasCompletedMigrations(db)) else { return nil }
                return try body(db)
            }
        } catch {
            return nil
        }
    }

    /// Refuses to upgrade the file at `path` (a schema older than this program's) while another
    /// process has it open: an older Gridbook still serving it would go on reading and writing it
    /// with the old schema (since v16 it wrote visit ids the table refuses, and read them as
    /// bytes). A file that is up to date, new, or unreadable here is left to the open itself.
    static func refuseUpgradeWhileShared(_ path: String) throws {
        guard readIfUpgradePending(path, { _ in true }) == true else { return }
        let alone: Bool
        do {
            alone = try isAlone(path)
        } catch is DatabaseError {
            return
        }
        guard !alone else { return }
        throw GridbookError.conflict("\(path) needs an upgrade to this version of Gridbook, and another process has it open "
                                     + "(an older gridbook serve?): stop it, then run this again (take a backup with the older version first)")
    }

    /// Opens an existing database file only to read it, for a file (or directory) this user may
    /// not write: reads work, a write fails with ``StorageTrouble/readOnly``. A file whose schema
    /// is older than this program cannot be read this way (it needs its upgrade written).
    ///
    /// A WAL database on read-only storage (where SQLite cannot make its `-shm` file) is opened
    /// as immutable: nothing may change it while it is open there, which read-only storage
    /// ensures.
    public static func openReadOnly(path: String, clock: WallClock = .system) throws -> AppDatabase {
        var config = makeConfiguration()
        config.readonly = true
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_READONLY {
            // Immutable only on storage mounted read-only, or in a directory this user may not
            // write (SQLite cannot make the files it reads a WAL database with), and with no WAL
            // left beside the file (its commits would be ignored, and a server writing the file
            // keeps one).
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            let directory = (path as NSString).deletingLastPathComponent
            let directoryWritable = access(directory.isEmpty ? "." : directory, W_OK) == 0
            guard Self.onReadOnlyStorage(path) || !directoryWritable, wal == 0,
                  let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) else { throw error }
            queue = try DatabaseQueue(path: "file:\(escaped)?immutable=1", configuration: config)
        }
        guard try queue.read({ db in try migrator.hasCompletedMigrations(db) }) else {
            throw GridbookError.invalid(field: "database", problem: "\(path) needs an upgrade, and this user may not write it")
        }
        return try AppDatabase(queue, clock: clock)
    }

    /// Whether the file at `path` lies on storage mounted read-only.
    static func onReadOnlyStorage(_ path: String) -> Bool {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return false }
        return info.f_flag & UInt(ST_RDONLY) != 0
    }

    /// Opens the database for a server: its commits never checkpoint the WAL (SQLite would do
    /// so inside the commit that crosses 1,000 pages, holding up every request behind it);
    /// call ``checkpoint(using:)`` from a task of its own instead. A WAL file left larger than
    /// 64 MiB is cut back to that when it starts over.
    ///
    /// A write waits at most `busyTimeout` seconds for the write lock (another process's import),
    /// then fails with ``StorageTrouble/busy`` (the API's 503), instead of holding its client.
    public static func openForServer(path: String, clock: WallClock = .system, busyTimeout: Double = 2) throws -> AppDatabase {
        try refuseUpgradeWhileShared(path)
        // 8 MiB of page cache per connection, six connections: the server's memory stays well
        // under 150 MB at ten times the county (BENCHMARKS.md). A county report reads more than
        // any cache would hold; the operating system's file cache serves it.
        var config = makeConfiguration(cacheMiB: 8)
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "PRAGMA journal_size_limit = \(Self.walSizeLimit)")
        }
        return try AppDatabase(DatabasePool(path: path, configuration: config), clock: clock)
    }

    /// The size a WAL file is cut back to once it starts over.
    static let walSizeLimit = 64 << 20

    /// WAL frames (pages) past which ``checkpoint(using:)`` makes the WAL start over.
    public static let restartFrames = 4096

    /// A connection of its own for ``checkpoint(using:)``; it waits at most 50 ms for the writer
    /// or a reader.
    public func checkpointConnection() throws -> DatabaseQueue? {
        guard let path else { return nil }
        var config = Self.makeConfiguration(cacheMiB: 2)
        config.busyMode = .timeout(0.05)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA journal_size_limit = \(Self.walSizeLimit)") }
        return try DatabaseQueue(path: path, configuration: config)
    }

    /// What one ``checkpoint(using:)`` did.
    public struct Checkpoint: Sendable, Equatable {
        /// Frames in the WAL before it, and how many of them are in the database file now.
        public var frames: Int
        public var copied: Int
        /// Whether the WAL starts over (its file is written again from the start, and cut back
        /// to 64 MiB): false when the WAL was short, or a reader or the writer held it longer than
        /// the connection waits (a report reading an older snapshot).
        public var restarted: Bool
    }

    /// Copies what the WAL holds into the database file without holding up readers or the writer
    /// (a passive checkpoint), on a connection other than the writer's; once the WAL is past
    /// ``restartFrames``, makes it start over, so that under steady writes the WAL stays bounded
    /// instead of growing for ever.
    ///
    /// The WAL can start over only when no reader holds an older snapshot of it, and reports read
    /// for a second or more, one after another: so the restart takes every place in ``reports``
    /// (it waits for the reports under way to end, and the next ones wait for it), copies what
    /// came in meanwhile without holding up writers (passive), then restarts, with little left to
    /// copy while new writes wait (at most the connection's 50 ms for readers and the writer).
    public func checkpoint(using connection: DatabaseQueue) async throws -> Checkpoint {
        let (frames, copied) = try await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        let passive = Checkpoint(frames: frames, copied: copied, restarted: false)
        // A backup's snapshot would hold the restart back for the whole backup: not worth holding
        // up the reports and writes for.
        guard frames >= Self.restartFrames, backupsRunning.current == 0 else { return passive }
        return try await reports.run(exclusive: true) {
            try await connection.writeWithoutTransaction { db in
                _ = try db.checkpoint(.passive)
                do {
                    let (frames, copied) = try db.checkpoint(.restart)
                    return Checkpoint(frames: frames, copied: copied, restarted: true)
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                    // A read outside the reports (a backup) holds an older snapshot, or the writer left no
                    // pause within the connection's 50 ms (seen at ten times the county): the next turn tries again.
                    return passive
                }
            }
        }
    }

    /// Opens (creating when needed) the database file at `path` with a single connection, for
    /// one long write such as an import.
    ///
    /// A new file is written in rollback-journal mode, so that loading millions of rows writes
    /// them once instead of twice (WAL, then checkpoint); the next ``open(path:)`` turns WAL on.
    /// An existing WAL database stays in WAL mode, so a running server keeps reading it.
    public static func openForBulkWrite(path: String, clock: WallClock = .system) throws -> AppDatabase {
        try refuseUpgradeWhileShared(path)
        var config = makeConfiguration(cacheMiB: 24)
        config.prepareDatabase { db in
            // Index builds and staged copies sort and spill into temporary files, not memory:
            // with temp_store = MEMORY, building the visit log's indexes alone held hundreds of
            // megabytes (an import's peak RSS is bounded by the page caches instead).
            try db.execute(sql: "PRAGMA temp_store = FILE")
            if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        }
        return try AppDatabase(DatabaseQueue(path: path, configuration: config), clock: clock)
    }

    /// An empty database in memory, for tests and dry runs.
    public static func inMemory(clock: WallClock = .system) throws -> AppDatabase {
        try AppDatabase(DatabaseQueue(configuration: makeConfiguration()), clock: clock)
    }

    /// The connection settings every Gridbook database uses, with a page cache of `cacheMiB`
    /// per connection (a server's pool holds six: its memory stays bounded).
    public static func makeConfiguration(_ base: Configuration = Configuration(), cacheMiB: Int = 16) -> Configuration {
        var config = base
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // WAL with NORMAL sync is durable across process crashes; a power loss can lose
            // at most the last transactions, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = \(-cacheMiB * 1024)")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Let index builds (bulk import) sort on both cores.
            try db.execute(sql: "PRAGMA threads = 2")
            // The schedule rule's due date, for the due list's page in SQL.
            try Schedule.addDueOnFunction(db)
            // Visit ids between their stored bytes and their text.
            UUIDKey.addFunctions(db)
        }
        return config
    }

    /// Whether the database was opened only to read (``openReadOnly(path:clock:)``).
    public var isReadOnly: Bool { writer.configuration.readonly }

    /// The path of the database file, or nil in memory.
    public var path: String? {
        let path = writer.path
        return path.isEmpty || path == ":memory:" ? nil : path
    }

    /// Runs a read-only block on a consistent snapshot, on one of GRDB's reader queues: the
    /// calling task waits without holding a thread of Swift's cooperative pool.
    public func read<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(block)
    }

    /// ``read(_:)`` for a report over many households, through ``reports`` (taking turns).
    func readReport<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await reports.run { try await writer.read(block) }
    }

    /// Runs a block in one write transaction (all of it is written, or none of it), on GRDB's
    /// writer queue: the calling task waits without holding a thread.
    public func write<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.write(block)
    }

    /// ``write(_:)`` for the writes field clients send all day: in one transaction with the
    /// others waiting at the same moment, each in a savepoint of its own, answered once that
    /// transaction is committed (``GroupCommit``).
    func groupWrite<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await visitWrites.write(on: writer, block)
    }

    /// Runs a block outside of a transaction, for work that manages its own (bulk import).
    func writeWithoutTransaction<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.writeWithoutTransaction(block)
    }
}

// MARK: - Schema

extension AppDatabase {
    /// The schema's history. Migrations are never edited once shipped: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: hierarchy, people, households, visits") { db in
            try db.execute(sql: """
                -- CHECK constraints spell out their values with OR: SQLite builds a temporary
                -- table for every IN list on every insert, which costs more than the insert.
                CREATE TABLE settings (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                INSERT INTO settings (key, value) VALUES ('time_zone', 'Asia/Shanghai');

                CREATE TABLE units (
                    code TEXT PRIMARY KEY NOT NULL CHECK (code <> ''),
                    name TEXT NOT NULL CHECK (name <> ''),
                    level TEXT NOT NULL CHECK (level = 'county' OR level = 'township' OR level = 'village' OR level = 'grid' OR level = 'block'),
                    parent_code TEXT REFERENCES units(code) ON UPDATE CASCADE,
                    CHECK ((level = 'county') = (parent_code IS NULL))
                );
                CREATE INDEX units_parent ON units(parent_code);
                CREATE UNIQUE INDEX units_one_county ON units(level) WHERE level = 'county';

                CREATE TRIGGER units_parent_level_on_insert BEFORE INSERT ON units
                WHEN NEW.parent_code IS NOT NULL
                    AND (SELECT level FROM units WHERE code = NEW.parent_code) IS NOT
                        CASE NEW.level WHEN 'township' THEN 'county' WHEN 'village' THEN 'township'
                                       WHEN 'grid' THEN 'village' WHEN 'block' THEN 'grid' END
                BEGIN SELECT RAISE(ABORT, 'a unit''s parent must be exactly one level up'); END;

                CREATE TRIGGER units_parent_level_on_update BEFORE UPDATE OF parent_code ON units
                WHEN NEW.parent_code IS NOT NULL
                    AND (SELECT level FROM units WHERE code = NEW.parent_code) IS NOT
                        CASE NEW.level WHEN 'township' THEN 'county' WHEN 'village' THEN 'township'
                                       WHEN 'grid' THEN 'village' WHEN 'block' THEN 'grid' END
                BEGIN SELECT RAISE(ABORT, 'a unit''s parent must be exactly one level up'); END;

                -- Households, duties and party groups hang on units by level: a unit keeps its level.
                CREATE TRIGGER units_level_is_fixed BEFORE UPDATE OF level ON units
                WHEN NEW.level IS NOT OLD.level
                BEGIN SELECT RAISE(ABORT, 'a unit''s level cannot change'); END;

                CREATE TABLE categories (
                    code TEXT PRIMARY KEY NOT NULL CHECK (code <> ''),
                    label TEXT NOT NULL,
                    interval_days INTEGER NOT NULL CHECK (interval_days BETWEEN 1 AND 3650)
                );
                INSERT INTO categories (code, label, interval_days) VALUES ('general', '一般户', 90);

                CREATE TABLE issue_categories (
                    code TEXT PRIMARY KEY NOT NULL CHECK (code <> ''),
                    label TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind = 'dispute' OR kind = 'hazard')
                );
                INSERT INTO issue_categories (code, label, kind) VALUES
                    ('neighbour', '邻里纠纷', 'dispute'),
                    ('family', '婚姻家庭纠纷', 'dispute'),
                    ('land', '土地山林纠纷', 'dispute'),
                    ('demolition', '征地拆迁纠纷', 'dispute'),
                    ('labour', '劳动争议与欠薪', 'dispute'),
                    ('contract', '合同纠纷', 'dispute'),
                    ('lending', '民间借贷纠纷', 'dispute'),
                    ('property', '物业管理纠纷', 'dispute'),
                    ('traffic', '交通事故赔偿纠纷', 'dispute'),
                    ('medical', '医疗纠纷', 'dispute'),
                    ('consumer', '消费纠纷', 'dispute'),
                    ('other', '其他纠纷', 'dispute'),
                    ('fraud', '电信诈骗风险', 'hazard'),
                    ('mental_health', '严重精神障碍患者风险', 'hazard'),
                    ('public_order', '治安隐患', 'hazard'),
                    ('safety', '安全隐患', 'hazard'),
                    ('other_hazard', '其他隐患', 'hazard');

                CREATE TABLE people (
                    id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
                    name TEXT NOT NULL CHECK (name <> ''),
                    phone TEXT,
                    id_number TEXT
                );

                CREATE TABLE duties (
                    id INTEGER PRIMARY KEY,
                    person_id TEXT NOT NULL REFERENCES people(id) ON UPDATE CASCADE,
                    role TEXT NOT NULL CHECK (role = 'grid_member' OR role = 'block_head' OR role = 'police' OR role = 'auxiliary_police' OR role = 'township_staff' OR role = 'mediator' OR role = 'county_admin'),
                    unit_code TEXT NOT NULL REFERENCES units(code) ON UPDATE CASCADE,
                    since TEXT NOT NULL,
                    until TEXT,
                    UNIQUE (person_id, role, unit_code, since)
                );
                CREATE INDEX duties_unit ON duties(unit_code, role);

                CREATE TRIGGER duties_role_level_on_insert BEFORE INSERT ON duties
                WHEN (SELECT level FROM units WHERE code = NEW.unit_code) NOT IN (
                    SELECT 'grid' WHERE NEW.role IN ('grid_member', 'police')
                    UNION ALL SELECT 'block' WHERE NEW.role = 'block_head'
                    UNION ALL SELECT 'village' WHERE NEW.role = 'auxiliary_police'
                    UNION ALL SELECT 'township' WHERE NEW.role IN ('township_staff', 'mediator')
                    UNION ALL SELECT 'county' WHERE NEW.role IN ('mediator', 'county_admin'))
                BEGIN SELECT RAISE(ABORT, 'this role cannot attach to a unit of this level'); END;

                CREATE TABLE party_groups (
                    code TEXT PRIMARY KEY NOT NULL CHECK (code <> ''),
                    name TEXT NOT NULL,
                    leader_id TEXT REFERENCES people(id) ON UPDATE CASCADE
                );
                CREATE TABLE party_group_grids (
                    group_code TEXT NOT NULL REFERENCES party_groups(code) ON DELETE CASCADE ON UPDATE CASCADE,
                    grid_code TEXT NOT NULL REFERENCES units(code) ON UPDATE CASCADE,
                    PRIMARY KEY (group_code, grid_code)
                ) WITHOUT ROWID;
                CREATE INDEX party_group_grids_grid ON party_group_grids(grid_code);
                CREATE TABLE party_group_members (
                    group_code TEXT NOT NULL REFERENCES party_groups(code) ON DELETE CASCADE ON UPDATE CASCADE,
                    person_id TEXT NOT NULL REFERENCES people(id) ON UPDATE CASCADE,
                    PRIMARY KEY (group_code, person_id)
                ) WITHOUT ROWID;

                CREATE TABLE households (
                    code TEXT PRIMARY KEY NOT NULL CHECK (code <> ''),
                    grid_code TEXT NOT NULL REFERENCES units(code) ON UPDATE CASCADE,
                    block_code TEXT REFERENCES units(code) ON UPDATE CASCADE,
                    address TEXT NOT NULL DEFAULT '',
                    head_name TEXT NOT NULL DEFAULT '',
                    phone TEXT,
                    members INTEGER NOT NULL DEFAULT 1 CHECK (members >= 0),
                    registered_on TEXT NOT NULL,
                    -- The local date of the latest visit that met the household, kept up to date on
                    -- every visit write so that a report for today never scans the visit log.
                    last_met_on TEXT
                );
                CREATE INDEX households_grid ON households(grid_code);
                CREATE INDEX households_block ON households(block_code) WHERE block_code IS NOT NULL;

                CREATE TRIGGER households_unit_levels_on_insert BEFORE INSERT ON households
                WHEN (SELECT level FROM units WHERE code = NEW.grid_code) IS NOT 'grid'
                    OR (NEW.block_code IS NOT NULL AND
                        (SELECT parent_code FROM units WHERE code = NEW.block_code AND level = 'block') IS NOT NEW.grid_code)
                BEGIN SELECT RAISE(ABORT, 'a household belongs to a grid, and its block to that grid'); END;

                CREATE TRIGGER households_unit_levels_on_update BEFORE UPDATE OF grid_code, block_code ON households
                WHEN (SELECT level FROM units WHERE code = NEW.grid_code) IS NOT 'grid'
                    OR (NEW.block_code IS NOT NULL AND
                        (SELECT parent_code FROM units WHERE code = NEW.block_code AND level = 'block') IS NOT NEW.grid_code)
                BEGIN SELECT RAISE(ABORT, 'a household belongs to a grid, and its block to that grid'); END;

                CREATE TABLE household_categories (
                    household_code TEXT NOT NULL REFERENCES households(code) ON DELETE CASCADE ON UPDATE CASCADE,
                    category_code TEXT NOT NULL REFERENCES categories(code) ON UPDATE CASCADE,
                    PRIMARY KEY (household_code, category_code)
                ) WITHOUT ROWID;
                CREATE INDEX household_categories_category ON household_categories(category_code);

                CREATE TABLE visits (
                    id TEXT NOT NULL,
                    household_code TEXT NOT NULL REFERENCES households(code) ON UPDATE CASCADE,
                    visitor_id TEXT NOT NULL REFERENCES people(id) ON UPDATE CASCADE,
                    visited_at TEXT NOT NULL,
                    -- The local date of visited_at in the deployment's time zone.
                    visited_on TEXT NOT NULL,
                    method TEXT NOT NULL CHECK (method = 'door' OR method = 'phone' OR method = 'video' OR method = 'other'),
                    outcome TEXT NOT NULL CHECK (outcome = 'met' OR outcome = 'absent' OR outcome = 'refused'),
                    note TEXT NOT NULL DEFAULT ''
                );
                CREATE UNIQUE INDEX visits_id ON visits(id);
                CREATE INDEX visits_household ON visits(household_code, outcome, visited_on);
                """)
        }
        migrator.registerMigration("v2: audit log and change feed") { db in
            try db.execute(sql: """
                -- Every write appends here, in the same transaction: when, who, what, which record.
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    record_type TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX audit_log_at ON audit_log(at);
                CREATE INDEX audit_log_actor ON audit_log(actor, at);

                -- The ordered change feed of visits, risks and cases (GET /api/v1/events).
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    at TEXT NOT NULL,
                    data TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3: risk register") { db in
            try db.execute(sql: """
                CREATE TABLE risks (
                    id TEXT PRIMARY KEY NOT NULL,
                    unit_code TEXT NOT NULL REFERENCES units(code) ON UPDATE CASCADE,
                    household_code TEXT REFERENCES households(code) ON UPDATE CASCADE,
                    category TEXT NOT NULL REFERENCES issue_categories(code) ON UPDATE CASCADE,
                    level TEXT NOT NULL CHECK (level = 'red' OR level = 'orange' OR level = 'yellow' OR level = 'blue'),
                    title TEXT NOT NULL CHECK (title <> ''),
                    description TEXT NOT NULL DEFAULT '',
                    status TEXT NOT NULL CHECK (status = 'open' OR status = 'monitoring' OR status = 'resolved' OR status = 'promoted'),
                    source TEXT NOT NULL CHECK (source = 'visit' OR source = 'patrol' OR source = 'report' OR source = 'hotline'),
                    reported_by TEXT NOT NULL REFERENCES people(id) ON UPDATE CASCADE,
                    reported_at TEXT NOT NULL,
                    visit_id TEXT,
                    review_due TEXT NOT NULL,
                    case_id TEXT
                );
                CREATE INDEX risks_unit ON risks(unit_code, status);
                CREATE INDEX risks_review ON risks(status, review_due);

                CREATE TABLE risk_follow_ups (
                    id INTEGER PRIMARY KEY,
                    risk_id TEXT NOT NULL REFERENCES risks(id) ON DELETE CASCADE,
                    at TEXT NOT NULL,
                    person_id TEXT NOT NULL REFERENCES people(id) ON UPDATE CASCADE,
                    note TEXT NOT NULL
                );
                CREATE INDEX risk_follow_ups_risk ON risk_follow_ups(risk_id, at);
                """)
        }
        migrator.registerMigration("v4: case ledger") { db in
            try db.execute(sql: """
                CREATE TABLE cases (
                    id TEXT PRIMARY KEY NOT NULL,
                    title TEXT NOT NULL CHECK (title <> ''),
                    category TEXT NOT NULL REFERENCES issue_categories(code) ON UPDATE CASCADE,
                    parties TEXT NOT NULL DEFAULT '',
                    source TEXT NOT NULL CHECK (source = 'visit_discovery' OR source = 'walk_in' OR source = 'phone'
                        OR source = 'letter' OR source = 'online' OR source = 'hotline' OR source = 'open311'),
                    risk_id TEXT REFERENCES risks(id),
                    unit_code TEXT NOT NULL REFERENCES units(code) ON UPDATE CASCADE,
                    level TEXT NOT NULL CHECK (level = 'village' OR level = 'township' OR level = 'county'),
                    status TEXT NOT NULL CHECK (status = 'accepted' OR status = 'assigned' OR status = 'in_progress'
                        OR status = 'resolved' OR status = 'unresolved' OR status = 'closed'),
                    track TEXT NOT NULL DEFAULT 'mediation' CHECK (track = 'mediation' OR track = 'judicial_confirmation'
                        OR track = 'litigation' OR track = 'petition'),
                    assignee TEXT,
                    deadline TEXT NOT NULL,
                    accepted_at TEXT NOT NULL,
                    finished_at TEXT,
                    feedback_given INTEGER NOT NULL DEFAULT 0,
                    satisfaction TEXT CHECK (satisfaction IS NULL OR satisfaction = 'satisfied'
                        OR satisfaction = 'basically_satisfied' OR satisfaction = 'dissatisfied')
                );
                CREATE UNIQUE INDEX cases_risk ON cases(risk_id) WHERE risk_id IS NOT NULL;
                CREATE INDEX cases_unit ON cases(unit_code, status);

                -- The ledger (一本账): every action on a case, never edited or deleted.
                CREATE TABLE case_ledger (
                    id INTEGER PRIMARY KEY,
                    case_id TEXT NOT NULL REFERENCES cases(id),
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    note TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX case_ledger_case ON case_ledger(case_id, id);
                CREATE TRIGGER case_ledger_no_update BEFORE UPDATE ON case_ledger
                BEGIN SELECT RAISE(ABORT, 'the case ledger is never edited'); END;
                CREATE TRIGGER case_ledger_no_delete BEFORE DELETE ON case_ledger
                BEGIN SELECT RAISE(ABORT, 'the case ledger is never deleted from'); END;
                """)
        }
        migrator.registerMigration("v5: API tokens") { db in
            try db.execute(sql: """
                -- Only a token's SHA-256 is stored; the token itself is shown once, when issued.
                CREATE TABLE tokens (
                    id INTEGER PRIMARY KEY,
                    person_id TEXT NOT NULL REFERENCES people(id) ON UPDATE CASCADE,
                    hash TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    expires_at TEXT,
                    revoked_at TEXT,
                    last_used_at TEXT
                );
                CREATE INDEX tokens_person ON tokens(person_id);
                """)
        }
        migrator.registerMigration("v6: duties by person") { db in
            // Every API request reads the caller's duties.
            try db.execute(sql: "CREATE INDEX duties_person ON duties(person_id)")
        }
        migrator.registerMigration("v7: a duty's role and unit level checked on update too") { db in
            try db.execute(sql: """
                CREATE TRIGGER duties_role_level_on_update BEFORE UPDATE OF role, unit_code ON duties
                WHEN (SELECT level FROM units WHERE code = NEW.unit_code) NOT IN (
                    SELECT 'grid' WHERE NEW.role IN ('grid_member', 'police')
                    UNION ALL SELECT 'block' WHERE NEW.role = 'block_head'
                    UNION ALL SELECT 'village' WHERE NEW.role = 'auxiliary_police'
                    UNION ALL SELECT 'township' WHERE NEW.role IN ('township_staff', 'mediator')
                    UNION ALL SELECT 'county' WHERE NEW.role IN ('mediator', 'county_admin'))
                BEGIN SELECT RAISE(ABORT, 'this role cannot attach to a unit of this level'); END;
                """)
        }
        migrator.registerMigration("v8: each household's interval and due date, kept like its latest met visit") { db in
            // interval_days = the smallest interval of the household's categories, else general's;
            // due_on = (last_met_on, else registered_on) + interval, through the schedule rule's
            // own function (Schedule.dueOn). Both are kept on every write that moves them; the
            // due list pages by due_on from the index, a grid's households in due order.
            try db.execute(sql: """
                ALTER TABLE households ADD COLUMN interval_days INTEGER;
                ALTER TABLE households ADD COLUMN due_on TEXT;
                UPDATE households SET interval_days = COALESCE(
                    (SELECT MIN(c.interval_days) FROM household_categories hc JOIN categories c ON c.code = hc.category_code
                     WHERE hc.household_code = households.code),
                    (SELECT interval_days FROM categories WHERE code = 'general'));
                UPDATE households SET due_on = gridbook_due_on(registered_on, last_met_on, interval_days);
                DROP INDEX households_grid;
                CREATE INDEX households_grid_due ON households(grid_code, due_on, code, last_met_on);
                """)
        }
        migrator.registerMigration("v9: risks by household") { db in
            // A unit's risk list takes the risks on its blocks' households too: without this index
            // the OR of the two reads the whole register (QueryPlanTests).
            try db.execute(sql: "CREATE INDEX risks_household ON risks(household_code)")
        }
        migrator.registerMigration("v10: sign-in codes and browser sessions") { db in
            try db.execute(sql: """
                CREATE TABLE login_codes (
                    id INTEGER PRIMARY KEY,
                    person_id TEXT NOT NULL REFERENCES people(id) ON UPDATE CASCADE,
                    salt TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    used_at TEXT,
                    failures INTEGER NOT NULL DEFAULT 0,
                    issued_by TEXT NOT NULL
                );
                CREATE INDEX login_codes_person ON login_codes(person_id, id);
                CREATE TABLE sessions (
                    id INTEGER PRIMARY KEY,
                    person_id TEXT NOT NULL REFERENCES people(id) ON UPDATE CASCADE,
                    hash TEXT NOT NULL UNIQUE,
                    csrf TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    revoked_at TEXT,
                    last_used_at TEXT,
                    user_agent TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX sessions_person ON sessions(person_id);
                """)
        }
        migrator.registerMigration("v11: the seed files last imported") { db in
            try db.execute(sql: """
                CREATE TABLE import_files (
                    name TEXT PRIMARY KEY NOT NULL,
                    digest TEXT NOT NULL,
                    imported_at TEXT NOT NULL
                )
                """)
        }
        migrator.registerMigration("v12: Open311 service requests") { db in try Open311Schema.create(db) }
        WebhookSchema.registerMigrations(&migrator)
        migrator.registerMigration("v14: when a resident reported a case, and chat groups as a source") { db in
            // A CHECK constraint cannot be altered in SQLite: the table is made anew (GRDB runs a
            // migration with foreign keys checked at its end, so the ledger's references hold).
            try db.execute(sql: """
                CREATE TABLE new_cases (
                    id TEXT PRIMARY KEY NOT NULL,
                    title TEXT NOT NULL CHECK (title <> ''),
                    category TEXT NOT NULL REFERENCES issue_categories(code) ON UPDATE CASCADE,
                    parties TEXT NOT NULL DEFAULT '',
                    source TEXT NOT NULL CHECK (source = 'visit_discovery' OR source = 'walk_in' OR source = 'phone'
                        OR source = 'letter' OR source = 'online' OR source = 'hotline' OR source = 'chat_group' OR source = 'open311'),
                    reported_at TEXT,
                    risk_id TEXT REFERENCES risks(id),
                    unit_code TEXT NOT NULL REFERENCES units(code) ON UPDATE CASCADE,
                    level TEXT NOT NULL CHECK (level = 'village' OR level = 'township' OR level = 'county'),
                    status TEXT NOT NULL CHECK (status = 'accepted' OR status = 'assigned' OR status = 'in_progress'
                        OR status = 'resolved' OR status = 'unresolved' OR status = 'closed'),
                    track TEXT NOT NULL DEFAULT 'mediation' CHECK (track = 'mediation' OR track = 'judicial_confirmation'
                        OR track = 'litigation' OR track = 'petition'),
                    assignee TEXT,
                    deadline TEXT NOT NULL,
                    accepted_at TEXT NOT NULL,
                    finished_at TEXT,
                    feedback_given INTEGER NOT NULL DEFAULT 0,
                    satisfaction TEXT CHECK (satisfaction IS NULL OR satisfaction = 'satisfied'
                        OR satisfaction = 'basically_satisfied' OR satisfaction = 'dissatisfied')
                );
                INSERT INTO new_cases (id, title, category, parties, source, risk_id, unit_code, level, status, track, assignee,
                                       deadline, accepted_at, finished_at, feedback_given, satisfaction)
                    SELECT id, title, category, parties, source, risk_id, unit_code, level, status, track, assignee,
                           deadline, accepted_at, finished_at, feedback_given, satisfaction FROM cases;
                DROP TABLE cases;
                ALTER TABLE new_cases RENAME TO cases;
                CREATE UNIQUE INDEX cases_risk ON cases(risk_id) WHERE risk_id IS NOT NULL;
                CREATE INDEX cases_unit ON cases(unit_code, status);
                CREATE INDEX cases_accepted_at ON cases(accepted_at);
                """)
        }
        migrator.registerMigration("v15: the work calendar and supervision cards") { db in
            try db.execute(sql: """
                -- Public holidays and make-up working days (调休), from holidays.csv.
                CREATE TABLE holidays (
                    date TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL CHECK (kind = 'holiday' OR kind = 'workday'),
                    name TEXT NOT NULL DEFAULT ''
                );
                -- Cards given to cases (督办), once per case and colour; each is also in the ledger.
                CREATE TABLE case_cards (
                    case_id TEXT NOT NULL REFERENCES cases(id),
                    color TEXT NOT NULL CHECK (color = 'yellow' OR color = 'red'),
                    given_at TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    PRIMARY KEY (case_id, color)
                );
                CREATE INDEX case_cards_given_at ON case_cards(given_at);
                -- Case time limits in calendar days (SPEC section 3) or working_days.
                INSERT INTO settings (key, value) VALUES ('case_deadlines', 'calendar');
                """)
        }
        migrator.registerMigration("v16: visit ids stored as 16 bytes") { db in
            // The table is built again with each id's 16 bytes (UUIDKey.storedBytes) in place of
            // its 36 characters, rows in the same order and with the same rowids. Every stored id
            // is a UUID (the import and the API accept nothing else); one that is not stops the
            // upgrade rather than being lost. (Its index builds sort in files: see init.)
            try db.execute(sql: """
                CREATE TABLE new_visits (
                    id BLOB NOT NULL CHECK (length(id) = 16),
                    household_code TEXT NOT NULL REFERENCES households(code) ON UPDATE CASCADE,
                    visitor_id TEXT NOT NULL REFERENCES people(id) ON UPDATE CASCADE,
                    visited_at TEXT NOT NULL,
                    -- The local date of visited_at in the deployment's time zone.
                    visited_on TEXT NOT NULL,
                    method TEXT NOT NULL CHECK (method = 'door' OR method = 'phone' OR method = 'video' OR method = 'other'),
                    outcome TEXT NOT NULL CHECK (outcome = 'met' OR outcome = 'absent' OR outcome = 'refused'),
                    note TEXT NOT NULL DEFAULT ''
                );
                INSERT INTO new_visits (rowid, id, household_code, visitor_id, visited_at, visited_on, method, outcome, note)
                    SELECT rowid, gridbook_uuid_bytes(id), household_code, visitor_id, visited_at, visited_on, method, outcome, note
                    FROM visits ORDER BY rowid;
                DROP TABLE visits;
                ALTER TABLE new_visits RENAME TO visits;
                CREATE UNIQUE INDEX visits_id ON visits(id);
                CREATE INDEX visits_household ON visits(household_code, outcome, visited_on);
                """)
        }
        return migrator
    }
}
