import Foundation
import GRDB
@testable import GridbookCore

/// A fixed "now" after every date the tests use.
let testNow = Date(timeIntervalSince1970: 1_796_083_200) // 2026-12-01T00:00:00Z

/// A temporary directory of seed files, removed when the test ends.
struct SeedDirectory: ~Copyable {
    let url: URL

    /// Writes each file (name → UTF-8 text) into a new temporary directory.
    init(_ files: [String: String]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, Data(text.utf8)) }
    }

    /// Writes one file's raw bytes.
    func write(_ name: String, _ data: Data) throws {
        try data.write(to: url.appendingPathComponent(name))
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The small hand-built county of the tests: two townships, two villages, three grids, a block.
///
/// As of 2026-06-30 (Asia/Shanghai):
/// - H1 (G1, general 90): met 2026-06-01, due 2026-08-30: covered.
/// - H2 (G1, block B1, elderly 7 + hardship 30): met 2026-06-23, due 2026-06-30 (today): covered.
/// - H3 (G1, elderly 7): met 2026-06-22, due 2026-06-29: overdue by 1 day.
/// - H4 (G2, registered 2026-05-01): never visited, due 2026-07-30: not yet overdue.
/// - H5 (G2): only an absent visit; due 2025-04-01: overdue, never visited.
/// - H6 (G3): registered 2026-07-05, after the as-of date: left out.
/// - H7 (G3): met 2026-03-01, and met at 2026-06-30T17:30Z = 2026-07-01 local (after the date):
///   due 2026-05-30, overdue by 31 days.
/// - H8 (G3): met at 2026-06-29T16:30Z = 2026-06-30 local: covered.
let smallCounty: [String: String] = [
    "units.csv": """
        code,name,level,parent_code
        C,测试县,county,
        T1,东风镇,township,C
        T2,巴彦苏木,township,C
        V1,红旗村,village,T1
        V2,乌兰嘎查,village,T2
        G1,第一网格,grid,V1
        G2,第二网格,grid,V1
        G3,第一网格,grid,V2
        B1,一号楼栋,block,G1

        """,
    "categories.csv": """
        code,label,interval_days
        elderly,独居老人,7
        hardship,困难家庭,30

        """,
    "people.csv": """
        id,name,phone,id_number
        P1,张伟,13812341234,110101199003071233
        P2,巴特尔,,

        """,
    "duties.csv": """
        person_id,role,unit_code,since,until
        P1,grid_member,G1,2025-01-01,
        P2,grid_member,G3,2025-01-01,

        """,
    "households.csv": """
        code,grid_code,block_code,address,head_name,phone,members,tags,registered_on
        H1,G1,,红旗村一组1号,李明,13900001111,3,,2025-01-01
        H2,G1,B1,"红旗村一组2号, 东屋",王芳,,1,elderly;hardship,2025-01-01
        H3,G1,,红旗村一组3号,赵强,,2,elderly,2025-01-01
        H4,G2,,红旗村二组1号,刘洋,,4,,2026-05-01
        H5,G2,,红旗村二组2号,陈静,,2,,2025-01-01
        H6,G3,,乌兰嘎查1号,其其格,,3,,2026-07-05
        H7,G3,,乌兰嘎查2号,巴雅尔,,5,,2025-01-01
        H8,G3,,乌兰嘎查3号,苏日娜,,2,,2025-01-01

        """,
    "visits.csv": """
        id,household_code,visitor_id,visited_at,method,outcome,note
        00000000-0000-4000-8000-000000000001,H1,P1,2026-06-01T10:00:00+08:00,door,met,
        00000000-0000-4000-8000-000000000002,H2,P1,2026-06-23T10:00:00+08:00,door,met,"老人身体好,精神好"
        00000000-0000-4000-8000-000000000003,H3,P1,2026-06-22T10:00:00+08:00,phone,met,
        00000000-0000-4000-8000-000000000004,H5,P1,2026-06-20T10:00:00+08:00,door,absent,家中无人
        00000000-0000-4000-8000-000000000005,H7,P2,2026-03-01T09:00:00+08:00,door,met,
        00000000-0000-4000-8000-000000000006,H7,P2,2026-06-30T17:30:00Z,door,met,
        00000000-0000-4000-8000-000000000007,H8,P2,2026-06-29T16:30:00Z,door,met,

        """,
]

/// A new in-memory database holding the small county.
func smallCountyDatabase() async throws -> AppDatabase {
    let database = try AppDatabase.inMemory(clock: .fixed(testNow))
    let seeds = try SeedDirectory(smallCounty)
    _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
    return database
}

/// Row counts of every table, to check that a failed write left nothing behind.
func tableCounts(_ database: AppDatabase) async throws -> [String: Int] {
    try await database.read { db in
        var counts: [String: Int] = [:]
        for table in ["units", "categories", "issue_categories", "people", "duties", "party_groups", "party_group_grids",
                      "party_group_members", "households", "household_categories", "visits"] {
            counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1
        }
        counts["households with last_met_on"] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM households WHERE last_met_on IS NOT NULL")
        return counts
    }
}

/// The names of the indexes on `table` that a schema statement made (not a key's own), in order.
func indexNames(_ database: AppDatabase, on table: String) async throws -> [String] {
    try await database.read { db in
        try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                            arguments: [table])
    }
}

/// The problems an import reported, as `FILE:LINE: column: problem` lines; empty when it succeeded.
func importProblems(_ database: AppDatabase, _ files: [String: String]) async throws -> [String] {
    let seeds = try SeedDirectory(files)
    do {
        _ = try await database.importSeeds(from: seeds.url, options: ImportOptions(now: testNow))
        return []
    } catch let failure as ImportFailure {
        return failure.problems.map(\.description)
    }
}

/// The small county's files with one file's rows replaced: the header is kept, `rows` follow it.
func smallCounty(replacing file: String, with rows: String) -> [String: String] {
    var files = smallCounty
    let header = files[file]!.split(separator: "\n")[0]
    files[file] = header + "\n" + rows
    return files
}

/// The small county's files with rows appended to one file.
func smallCounty(appending rows: String, to file: String) -> [String: String] {
    var files = smallCounty
    files[file] = files[file]! + rows
    return files
}
