import Foundation
import GRDB
import GridbookAPI
@testable import GridbookCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("A busy, full or read-only database answers 503 with Retry-After, and writes nothing")
struct UnavailableDatabaseTests {
    /// A visit to H1 by its grid member, as the API takes it.
    func visitBody(_ n: Int, note: String = "") -> String {
        """
        {"id": "\(visitId(n))", "household_code": "H1", "visited_at": "2026-06-30T09:00:00+08:00", "method": "door", "outcome": "met", "note": "\(note)"}
        """
    }

    /// The test's county in a file of its own, and the file's path.
    func countyFile() async throws -> (path: String, tokens: [String: String], cleanUp: () -> Void) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridbook-503-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("county.sqlite").path
        let (_, tokens) = try await apiDatabase(file: path)
        return (path, tokens, { try? FileManager.default.removeItem(at: directory) })
    }

    @Test("a write that cannot get the lock within the server's wait: 503 busy, Retry-After 2, no visit stored")
    func busy() async throws {
        let (path, tokens, cleanUp) = try await countyFile()
        defer { cleanUp() }
        let server = try AppDatabase.openForServer(path: path, clock: .fixed(apiNow), busyTimeout: 0.1)
        // Given another process holding the write lock (an import under way).
        let other = try DatabaseQueue(path: path)
        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let importer = Task.detached {
            try other.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                holding.signal()
                release.wait()
                try db.execute(sql: "COMMIT")
            }
        }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { holding.wait(); continuation.resume() }
        }
        let app = Application(router: buildRouter(database: server), logger: quietLogger)
        try await app.test(.router) { client async throws in
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: bearer(tokens["P1"]!),
                                     body: ByteBuffer(string: visitBody(1))) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "2")
                #expect(String(buffer: response.body).contains("\"code\" : \"busy\""))
            }
        }
        release.signal()
        try await importer.value
        #expect(try await server.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM visits") } == 0)
    }

    @Test("a disk full under a write: 503 storage_full, Retry-After 60, no visit stored; reads still answer")
    func full() async throws {
        let (database, tokens) = try await apiDatabase()
        // Given a database that may not grow by a page.
        try await database.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            let note = String(repeating: "走访记录", count: 2_000)
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: bearer(tokens["P1"]!),
                                     body: ByteBuffer(string: visitBody(1, note: note))) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "60")
                #expect(String(buffer: response.body).contains("\"code\" : \"storage_full\""))
            }
            let due = try await client.call(.get, "/api/v1/due?unit=G1&on=2026-06-30", tokens["P1"])
            #expect(due.items("household_code") == ["H1", "H3"])
        }
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM visits") } == 0)
    }

    @Test("a database opened read-only: reads answer, a write is 503 read_only")
    func readOnly() async throws {
        let (path, tokens, cleanUp) = try await countyFile()
        defer { cleanUp() }
        var config = AppDatabase.makeConfiguration()
        config.readonly = true
        let database = try AppDatabase(DatabasePool(path: path, configuration: config), clock: .fixed(apiNow))
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client async throws in
            #expect(try await client.call(.get, "/api/v1/due?unit=G1&on=2026-06-30", tokens["P1"]).items("household_code") == ["H1", "H3"])
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: bearer(tokens["P1"]!),
                                     body: ByteBuffer(string: visitBody(1))) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("\"code\" : \"read_only\""))
            }
        }
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM visits") } == 0)
    }

    @Test("SQLite's errors as users are told them: busy, full, read-only, failing; others are not storage trouble")
    func classification() {
        #expect(StorageTrouble(DatabaseError(resultCode: .SQLITE_BUSY)) == .busy)
        #expect(StorageTrouble(DatabaseError(resultCode: .SQLITE_FULL)) == .full)
        #expect(StorageTrouble(DatabaseError(resultCode: .SQLITE_READONLY)) == .readOnly)
        #expect(StorageTrouble(DatabaseError(resultCode: .SQLITE_IOERR)) == .failing)
        #expect(StorageTrouble(DatabaseError(resultCode: .SQLITE_CONSTRAINT)) == nil)
        #expect(StorageTrouble(GridbookError.notFound("unit X")) == nil)
        #expect(StorageTrouble.full.description == "the disk holding the database is full; nothing was written: free space and try again")
    }
}
