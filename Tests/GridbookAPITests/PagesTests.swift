import Foundation
import GRDB
import GridbookAPI
import GridbookCore
import GridbookWeb
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The rows of a table, for checking that a refused request wrote nothing.
private func count(_ database: AppDatabase, _ table: String) async throws -> Int {
    try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
}

private let csrfHeader = HTTPField.Name("X-CSRF-Token")!

/// A browser signed in: the cookie header to send and the CSRF token.
private struct Browser {
    var cookie: String
    var csrf: String

    func headers(csrf sendCSRF: Bool = true, origin: String? = "http://localhost") -> HTTPFields {
        var headers: HTTPFields = [.cookie: cookie, .contentType: "application/json"]
        if sendCSRF { headers[csrfHeader] = csrf }
        if let origin { headers[.origin] = origin }
        return headers
    }
}

/// Signs `person` in through `POST /auth/login` with a fresh code.
private func signIn(_ client: some TestClientProtocol, _ database: AppDatabase, _ person: String) async throws -> Browser {
    let code = try await database.issueLoginCode(person: person).code
    return try await client.execute(uri: "/auth/login", method: .post, headers: [.contentType: "application/json"],
                                    body: ByteBuffer(string: #"{"person_id": "\#(person)", "code": "\#(code)"}"#)) { response in
        #expect(response.status == .ok)
        let cookies = response.headers[values: .setCookie]
        let session = try #require(cookies.first { $0.hasPrefix("gb_session=") })
        let csrf = try #require(cookies.first { $0.hasPrefix("gb_csrf=") })
        let sessionValue = String(session.prefix { $0 != ";" })
        let csrfValue = String(csrf.prefix { $0 != ";" }.dropFirst("gb_csrf=".count))
        return Browser(cookie: sessionValue + "; gb_csrf=" + csrfValue, csrf: csrfValue)
    }
}

private let visitBody = #"{"id": "0c6f3f52-8f53-4c1a-9a57-3d3f1b8e0001", "household_code": "H1", "visited_at": "2026-11-30T09:00:00+08:00", "method": "door", "outcome": "met"}"#

@Suite("Sign-in codes and sessions")
struct SignInRuleTests {
    @Test("a code is 8 digits, stored only as a salted hash, and works once")
    func singleUse() async throws {
        let (database, _) = try await apiDatabase()
        let (code, record) = try await database.issueLoginCode(person: "P1")
        #expect(code.count == 8 && code.allSatisfy(\.isNumber))
        #expect(record.expiresAt == "2026-12-01T00:15:00Z")
        let stored = try await database.read { db in try String.fetchAll(db, sql: "SELECT salt || hash || person_id FROM login_codes") }
        #expect(stored.count == 1 && !stored[0].contains(code))
        let session = try await database.signIn(person: "P1", code: code)
        #expect(session.caller.person.id == "P1" && session.caller.roles == [.gridMember])
        #expect(session.record.expiresAt == "2026-12-31T00:00:00Z")
        await #expect(throws: SignInRefusal.noCode) { try await database.signIn(person: "P1", code: code) }
        #expect(try await count(database, "sessions") == 1)
    }

    @Test("a code expires after 15 minutes; a newer code replaces an unused one")
    func expiry() async throws {
        let (database, _) = try await apiDatabase()
        let (first, _) = try await database.issueLoginCode(person: "P1")
        await #expect(throws: SignInRefusal.noCode) {
            try await database.signIn(person: "P1", code: first, now: apiNow.addingTimeInterval(15 * 60))
        }
        let (second, _) = try await database.issueLoginCode(person: "P1")
        let (third, _) = try await database.issueLoginCode(person: "P1")
        if second != third {
            // The replaced code is refused as a wrong one would be: only the newest counts.
            await #expect(throws: SignInRefusal.wrongCode(triesLeft: 4)) { try await database.signIn(person: "P1", code: second) }
        }
        _ = try await database.signIn(person: "P1", code: third, now: apiNow.addingTimeInterval(15 * 60 - 1))
        #expect(try await count(database, "sessions") == 1)
    }

    @Test("five wrong tries lock the code, even against the right one; each try is audited")
    func lockout() async throws {
        let (database, _) = try await apiDatabase()
        let (code, _) = try await database.issueLoginCode(person: "P1")
        let wrong = code == "00000000" ? "11111111" : "00000000"
        for left in [4, 3, 2, 1] {
            await #expect(throws: SignInRefusal.wrongCode(triesLeft: left)) { try await database.signIn(person: "P1", code: wrong) }
        }
        await #expect(throws: SignInRefusal.locked) { try await database.signIn(person: "P1", code: wrong) }
        await #expect(throws: SignInRefusal.locked) { try await database.signIn(person: "P1", code: code) }
        #expect(try await count(database, "sessions") == 0)
        let audited = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT action FROM audit_log WHERE action LIKE 'login_code.%' ORDER BY id")
        }
        #expect(audited == ["login_code.issue"] + Array(repeating: "login_code.wrong", count: 4) + ["login_code.locked"])
    }

    @Test("an unknown person, or one with no code, gets the same refusal; no duty, no code")
    func unknownPeople() async throws {
        let (database, _) = try await apiDatabase()
        await #expect(throws: SignInRefusal.noCode) { try await database.signIn(person: "P404", code: "12345678") }
        await #expect(throws: SignInRefusal.noCode) { try await database.signIn(person: "P2", code: "12345678") }
        await #expect(throws: GridbookError.notFound("person P404")) { try await database.issueLoginCode(person: "P404") }
        try await database.write { db in try db.execute(sql: "UPDATE duties SET until = '2026-01-01' WHERE person_id = 'P2'") }
        await #expect(throws: GridbookError.invalid(field: "person", problem: "P2 has no active duty, so could do nothing once signed in")) {
            try await database.issueLoginCode(person: "P2")
        }
        #expect(try await count(database, "login_codes") == 0)
    }

    @Test("a session ends when revoked or after its days")
    func sessionEnds() async throws {
        let (database, _) = try await apiDatabase()
        let opened = try await database.signIn(person: "P1", code: try await database.issueLoginCode(person: "P1").code, days: 2)
        #expect(try await database.authenticate(session: opened.secret)?.caller.person.id == "P1")
        #expect(try await database.authenticate(session: opened.secret, now: apiNow.addingTimeInterval(2 * 86_400)) == nil)
        try await database.revokeSession(id: try #require(opened.record.id))
        #expect(try await database.authenticate(session: opened.secret) == nil)
        #expect(try await database.sessions(person: "P1").map(\.revokedAt) == ["2026-12-01T00:00:00Z"])
    }
}

@Suite("Pages over HTTP")
struct PagesTests {
    @Test("sign-in sets an HttpOnly, SameSite=Strict session cookie and a readable CSRF cookie; Secure when asked")
    func cookies() async throws {
        let (database, _) = try await apiDatabase()
        for secure in [false, true] {
            let app = Application(router: buildGridbookRouter(database: database, web: WebOptions(secureCookies: secure)), logger: quietLogger)
            let code = try await database.issueLoginCode(person: "P3").code
            try await app.test(.router) { client in
                try await client.execute(uri: "/auth/login", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: #"{"person_id": "P3", "code": "\#(code)"}"#)) { response in
                    #expect(response.status == .ok)
                    let cookies = response.headers[values: .setCookie]
                    let session = try #require(cookies.first { $0.hasPrefix("gb_session=gbs_") })
                    let csrf = try #require(cookies.first { $0.hasPrefix("gb_csrf=") })
                    #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Max-Age=2592000"))
                    #expect(session.contains("Secure") == secure && csrf.contains("Secure") == secure)
                    #expect(!csrf.contains("HttpOnly") && csrf.contains("SameSite=Strict"))
                    let body = try await json(response)
                    #expect(body["home"] as? String == "/desk/")
                    #expect(csrf.hasPrefix("gb_csrf=\(try #require(body["csrf_token"] as? String));"))
                }
            }
        }
    }

    @Test("a wrong, malformed or locked code answers 401 or 400 and opens no session")
    func refusals() async throws {
        let (database, _) = try await apiDatabase()
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        let code = try await database.issueLoginCode(person: "P1").code
        let wrong = code == "00000000" ? "11111111" : "00000000"
        try await app.test(.router) { client in
            for (body, status, errorCode) in [
                (#"{"person_id": "P1", "code": "12ab"}"#, HTTPResponse.Status.badRequest, "invalid"),
                (#"{"person_id": "P1"}"#, .badRequest, "invalid"),
                (#"{"person_id": "P1", "code": "\#(wrong)"}"#, .unauthorized, "wrong_code"),
                (#"{"person_id": "P404", "code": "\#(code)"}"#, .unauthorized, "no_code"),
            ] {
                try await client.execute(uri: "/auth/login", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: body)) { response in
                    #expect(response.status == status)
                    let error = try await json(response)["error"] as? [String: Any]
                    #expect(error?["code"] as? String == errorCode)
                    #expect(response.headers[.setCookie] == nil)
                }
            }
            // A sign-in posted from another site's page is refused before the code is tried.
            try await client.execute(uri: "/auth/login", method: .post, headers: [.contentType: "application/json", .origin: "https://evil.example"],
                                     body: ByteBuffer(string: #"{"person_id": "P1", "code": "\#(code)"}"#)) { #expect($0.status == .forbidden) }
        }
        #expect(try await count(database, "sessions") == 0)
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT failures FROM login_codes") } == 1)
    }

    @Test("a session's write needs its CSRF token and this site's Origin; nothing is written otherwise")
    func csrfAndOrigin() async throws {
        let (database, _) = try await apiDatabase()
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let browser = try await signIn(client, database, "P1")
            try await client.execute(uri: "/api/v1/me", method: .get, headers: browser.headers(csrf: false, origin: nil)) {
                #expect($0.status == .ok)
            }
            for (headers, errorCode) in [
                (browser.headers(csrf: false), "csrf"),
                (browser.headers(csrf: true, origin: "https://evil.example"), "origin"),
                (browser.headers(csrf: true, origin: nil), "origin"),
                ({ var wrong = browser.headers(); wrong[csrfHeader] = String(browser.csrf.reversed()); return wrong }(), "csrf"),
            ] {
                try await client.execute(uri: "/api/v1/visits", method: .post, headers: headers, body: ByteBuffer(string: visitBody)) { response in
                    #expect(response.status == .forbidden)
                    let error = try await json(response)["error"] as? [String: Any]
                    #expect(error?["code"] as? String == errorCode)
                }
            }
            #expect(try await count(database, "visits") == 0)
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: browser.headers(), body: ByteBuffer(string: visitBody)) {
                #expect($0.status == .created)
            }
            #expect(try await count(database, "visits") == 1)
        }
    }

    @Test("signing out or revoking ends the session: the API answers 401, the desk sends to the sign-in page")
    func revocation() async throws {
        let (database, _) = try await apiDatabase()
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let first = try await signIn(client, database, "P3")
            let second = try await signIn(client, database, "P3")
            try await client.execute(uri: "/auth/logout", method: .post, headers: first.headers()) { #expect($0.status == .noContent) }
            try await database.revokeSession(id: try #require(try await database.sessions(person: "P3").first?.id))
            for browser in [first, second] {
                try await client.execute(uri: "/api/v1/me", method: .get, headers: browser.headers()) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/desk/cases", method: .get, headers: browser.headers()) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/login?next=/desk/cases")
                }
            }
        }
        #expect(try await database.sessions(person: "P3").filter { $0.revokedAt == nil }.isEmpty)
    }

    @Test("every answer carries the security headers: pages, files, API, errors")
    func securityHeaders() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let browser = try await signIn(client, database, "P3")
            for (uri, headers) in [("/healthz", HTTPFields()), ("/login", [:]), ("/app/", [:]), ("/app/app.js", [:]), ("/static/desk.css", [:]),
                                   ("/desk/units/T1", browser.headers()), ("/desk/units/T2", browser.headers()), ("/nowhere", [:]),
                                   ("/api/v1/me", bearer(try #require(tokens["P1"]))), ("/api/v1/me", [:])] {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.hasPrefix("default-src 'self';") && policy.contains("frame-ancestors 'none'"), "\(uri)")
                    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(uri)")
                    if uri.hasPrefix("/api/v1") && response.status == .ok { #expect(response.headers[.cacheControl] == "no-store") }
                }
            }
        }
    }

    @Test("every desk page answers 403 outside the caller's units, saying nothing of where the record sits")
    func deskScope() async throws {
        let (database, tokens) = try await apiDatabase()
        let risk = try await database.addRisk(NewRisk(householdCode: "H2", category: "neighbour", level: .yellow, title: "二网格的纠纷",
                                                      source: .patrol, reportedBy: "P2"))
        let dispute = try await database.fileCase(NewCase(title: "乙镇的案件", category: "land", unitCode: "V2", parties: "", source: .walkIn),
                                                  by: .person("P9"))
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        _ = tokens
        try await app.test(.router) { client in
            let member = try await signIn(client, database, "P1")
            let staff = try await signIn(client, database, "P3")
            let foreign = ["/desk/units/G2", "/desk/units/T2", "/desk/households/H2", "/desk/risks?unit=G2", "/desk/risks/\(risk.id)",
                           "/desk/cases?unit=T2", "/desk/cases/\(dispute.id)", "/desk/reports/cases?unit=V2"]
            for (browser, uris) in [(member, foreign + ["/desk/units/T1", "/desk/codes"]), (staff, foreign)] {
                for uri in uris {
                    try await client.execute(uri: uri, method: .get, headers: browser.headers()) { response in
                        #expect(response.status == .forbidden, "\(uri)")
                        let page = String(buffer: response.body)
                        #expect(page.contains(#"id="error" data-status="403""#), "\(uri)")
                        for secret in ["G2", "V2", "T2", "二网格", "乙镇", "H2"] { #expect(!page.contains(secret), "\(uri) names \(secret)") }
                    }
                }
            }
            // In scope, the same pages answer.
            for uri in ["/desk/units/T1", "/desk/units/G1", "/desk/households/H1", "/desk/risks", "/desk/cases", "/desk/reports/cases", "/desk/codes"] {
                try await client.execute(uri: uri, method: .get, headers: staff.headers()) { #expect($0.status == .ok, "\(uri)") }
            }
        }
    }

    @Test("a case's page shows its ledger and one form for each action its status allows, for those who handle cases")
    func casePage() async throws {
        let (database, _) = try await apiDatabase()
        let dispute = try await database.fileCase(NewCase(title: "甲镇的案件", category: "land", unitCode: "V1", parties: "", source: .walkIn),
                                                  by: .person("P9"))
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let staff = try await signIn(client, database, "P3")
            let member = try await signIn(client, database, "P1")
            try await client.execute(uri: "/desk/cases/\(dispute.id)", method: .get, headers: staff.headers()) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .ok)
                let forms = page.components(separatedBy: #"<form class="action" data-action=""#).dropFirst().map { String($0.prefix { $0 != "\"" }) }
                #expect(forms == CaseRules.allowed(dispute).map(\.rawValue))
                #expect(forms.first == "dispatch")
                #expect(page.contains(#"<li class="ledger-entry" data-action="accept">"#))
                #expect(page.contains(#"id="case" data-id="\#(dispute.id)" data-status="accepted""#))
                #expect(!page.contains(#"id="reporter""#))
            }
            // A case from Open311 shows its reporter, phone and email masked.
            var submission = Open311Submission(serviceCode: "land")
            submission.addressId = "V1"
            (submission.lastName, submission.firstName, submission.phone, submission.email) = ("张", "伟", "13812345678", "zw@example.com")
            let caller = try #require(try await database.caller(person: "P3"))
            let filed = try await database.fileOpen311Request(submission, by: caller, apiKeyHash: "test")
            try await client.execute(uri: "/desk/cases/\(filed.serviceRequestId)", method: .get, headers: staff.headers()) { response in
                #expect(String(buffer: response.body).contains(#"<dd class="wrap" id="reporter">张伟 · 138****5678 · z***@example.com</dd>"#))
                #expect(!String(buffer: response.body).contains(#"id="cards""#))
            }
            // The case report's rates are percentages as the API gives them: one case resolved of two is 50.0%.
            for action in [CaseActionInput(.dispatch, assignee: "调委会"), CaseActionInput(.start), CaseActionInput(.resolve)] {
                _ = try await database.act(onCase: dispute.id, action, by: .person("P9"))
            }
            try await client.execute(uri: "/desk/reports/cases?unit=T1&from=2026-11-01&to=2026-12-31", method: .get, headers: staff.headers()) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("50.0%"))
                #expect(!page.contains("5000.0%"))
            }
            // A card given shows on the case's page, as the ledger's 督办.
            _ = try await database.supervise(now: apiNow.addingTimeInterval(10 * 86_400))
            try await client.execute(uri: "/desk/cases/\(filed.serviceRequestId)", method: .get, headers: staff.headers()) { response in
                let page = String(buffer: response.body)
                #expect(page.contains(#"<dd id="cards"><strong class="warn">黄牌 2026-12-11 08:00；红牌 2026-12-11 08:00</strong></dd>"#))
                #expect(page.contains("<strong>督办</strong>"))
            }
            // A grid member may not see a township's case at all.
            try await client.execute(uri: "/desk/cases/\(dispute.id)", method: .get, headers: member.headers()) { #expect($0.status == .forbidden) }
        }
    }

    @Test("text from the database is escaped on the desk's pages")
    func escaping() async throws {
        let (database, _) = try await apiDatabase()
        let risk = try await database.addRisk(NewRisk(householdCode: "H1", category: "neighbour", level: .red,
                                                      title: #"<script>alert("x")</script>"#, source: .patrol, reportedBy: "P1"))
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let staff = try await signIn(client, database, "P3")
            for uri in ["/desk/risks/\(risk.id)", "/desk/risks", "/desk/households/H1"] {
                try await client.execute(uri: uri, method: .get, headers: staff.headers()) { response in
                    let page = String(buffer: response.body)
                    #expect(!page.contains("<script>alert"), "\(uri)")
                    #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), "\(uri)")
                }
            }
        }
    }

    @Test("staff give sign-in codes to people in their units only; grid members give none")
    func issuingCodes() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let staff = try await signIn(client, database, "P3")
            try await client.execute(uri: "/api/v1/login-codes", method: .post, headers: staff.headers(),
                                     body: ByteBuffer(string: #"{"person_id": "P1"}"#)) { response in
                #expect(response.status == .created)
                let body = try await json(response)
                #expect((body["code"] as? String)?.count == 8 && body["expires_at"] as? String == "2026-12-01T00:15:00Z")
            }
            for (headers, person) in [(staff.headers(), "P2"), (staff.headers(), "P9"), (bearer(try #require(tokens["P1"])), "P1")] {
                try await client.execute(uri: "/api/v1/login-codes", method: .post, headers: headers,
                                         body: ByteBuffer(string: #"{"person_id": "\#(person)"}"#)) { response in
                    #expect(response.status == .forbidden)
                    #expect(!String(buffer: response.body).contains("T2") && !String(buffer: response.body).contains("G2"))
                }
            }
        }
        // The first code, and those of the sign-ins above.
        #expect(try await count(database, "login_codes") == 2)
    }

    @Test("what the field app reads besides: the categories, a household's risks (a bad household is 400)")
    func appReads() async throws {
        let (database, tokens) = try await apiDatabase()
        let risk = try await database.addRisk(NewRisk(householdCode: "H1", category: "fraud", level: .red, title: "诈骗电话", source: .visit, reportedBy: "P1"))
        _ = try await database.addRisk(NewRisk(householdCode: "H3", category: "fraud", level: .red, title: "另一户", source: .visit, reportedBy: "P1"))
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        let headers = bearer(try #require(tokens["P1"]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/categories", method: .get, headers: headers) { response in
                let items = try #require(try await json(response)["items"] as? [[String: Any]])
                #expect(items.count == 17)
                #expect(items.first?["code"] as? String == "neighbour" && items.first?["label"] as? String == "邻里纠纷")
                #expect(items.last?["kind"] as? String == "hazard")
            }
            try await client.execute(uri: "/api/v1/risks?unit=G1&household=H1&status=open", method: .get, headers: headers) { response in
                let items = try #require(try await json(response)["items"] as? [[String: Any]])
                #expect(items.map { $0["id"] as? String } == [risk.id])
            }
            try await client.execute(uri: "/api/v1/risks?unit=G1&household=%20H1", method: .get, headers: headers) { #expect($0.status == .badRequest) }
        }
    }

    @Test("the app's files: types, a validator answered 304, the service worker's scope, 404 for anything else")
    func files() async throws {
        let (database, _) = try await apiDatabase()
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/app", method: .get) { #expect($0.headers[.location] == "/app/") }
            let etag = try await client.execute(uri: "/app/", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "text/html; charset=utf-8")
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: "/app/", method: .get, headers: [.ifNoneMatch: etag]) { #expect($0.status == .notModified) }
            try await client.execute(uri: "/app/app.js", method: .head) { response in
                #expect(response.status == .ok && response.body.readableBytes == 0)
                #expect(Int(response.headers[.contentLength] ?? "") == WebOptions.embeddedSize("app/app.js"))
            }
            try await client.execute(uri: "/app/sw.js", method: .get) { response in
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(response.headers[HTTPField.Name("Service-Worker-Allowed")!] == "/app/")
            }
            for uri in ["/app/nope.js", "/static/nope.css", "/app/..%2Fsite%2Flogin.html"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound, "\(uri)") }
            }
            try await client.execute(uri: "/", method: .get) { #expect($0.headers[.location] == "/login") }
        }
    }

    @Test("a person id is taken in any letter case when exactly one person's id matches; otherwise it finds no code, as an unknown id does")
    func personIdCase() async throws {
        let (database, _) = try await apiDatabase()
        // Two ids that differ only in case: typed in a third case, neither is meant.
        try await database.write { db in try db.execute(sql: "INSERT INTO people (id, name) VALUES ('Ab1', '甲'), ('AB1', '乙')") }
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        let code = try await database.issueLoginCode(person: "P1").code
        try await app.test(.router) { client in
            for typed in ["ab1", "P404"] {
                try await client.execute(uri: "/auth/login", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: #"{"person_id": "\#(typed)", "code": "\#(code)"}"#)) { response in
                    #expect(response.status == .unauthorized)
                    let error = try #require(try await json(response)["error"] as? [String: Any])
                    // The same refusal as for a person with no code: which ids exist is not said.
                    #expect(error["code"] as? String == "no_code")
                    #expect(error["message"] as? String == "no valid sign-in code for this person id: check the id, or ask your township for a new code (a code lasts 15 minutes and works once)")
                    #expect(response.headers[.setCookie] == nil)
                }
            }
            // The code was not tried against anyone: it still signs P1 in, typed in lower case.
            try await client.execute(uri: "/auth/login", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"person_id": "p1", "code": "\#(code)"}"#)) { response in
                #expect(response.status == .ok)
                let person = try #require(try await json(response)["person"] as? [String: Any])
                #expect(person["id"] as? String == "P1" && person["name"] as? String == "张伟")
            }
        }
        #expect(try await database.sessions().map(\.personId) == ["P1"])
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT failures FROM login_codes") } == 0)
    }

    @Test("a desk page without a session sends to the sign-in page with itself as next: a path here, its escapes kept escaped")
    func signInNext() async throws {
        let (database, _) = try await apiDatabase()
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            // `next` decodes to the path as sent (%5C, %09 and all), never to a backslash or a tab.
            for (uri, location) in [("/desk/units/%5Cexample.org", "/login?next=/desk/units/%255Cexample.org"),
                                    ("/desk/units/%09example.org?x=//y", "/login?next=/desk/units/%2509example.org%3Fx%3D//y")] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == location, "\(uri)")
                }
            }
        }
    }

    @Test("signing out answers 204 with or without a live session, so a sign-out sent again (kept while offline) is harmless")
    func signOutAgain() async throws {
        let (database, _) = try await apiDatabase()
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let browser = try await signIn(client, database, "P1")
            for _ in 0..<2 {
                try await client.execute(uri: "/auth/logout", method: .post, headers: browser.headers()) { response in
                    #expect(response.status == .noContent)
                    #expect(response.headers[values: .setCookie].map { String($0.prefix { $0 != ";" }) } == ["gb_session=", "gb_csrf="])
                }
            }
            try await client.execute(uri: "/api/v1/me", method: .get, headers: browser.headers()) { #expect($0.status == .unauthorized) }
        }
        #expect(try await database.sessions(person: "P1").map(\.revokedAt) == ["2026-12-01T00:00:00Z"])
    }

    @Test("the service worker keeps every file the field app loads, so that it opens offline (sign-out included)")
    func serviceWorkerShell() async throws {
        let (database, _) = try await apiDatabase()
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        let worker = try await app.test(.router) { client in
            try await client.execute(uri: "/app/sw.js", method: .get) { String(buffer: $0.body) }
        }
        let shell = try #require(worker.components(separatedBy: "const SHELL = [").dropFirst().first?.components(separatedBy: "];").first)
        let listed = Set(shell.split(separator: "'").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) })
        let files = Set(WebOptions.embeddedFiles.filter { $0.hasPrefix("app/") && $0 != "app/sw.js" && $0 != "app/index.html" }.map { "/" + $0 })
        #expect(listed == files.union(["/app/"]))
        #expect(listed.contains("/app/session.js"))
    }

    @Test("a visit dated outside the visitor's duty is a 403 naming the field to change; another grid's household names none")
    func visitRefusalFields() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildGridbookRouter(database: database), logger: quietLogger)
        @Sendable func visit(_ household: String, at time: String, visitor: String? = nil) -> ByteBuffer {
            let visitorField = visitor.map { #", "visitor_id": "\#($0)""# } ?? ""
            return ByteBuffer(string: #"{"household_code": "\#(household)", "visited_at": "\#(time)", "method": "door", "outcome": "met"\#(visitorField)}"#)
        }
        try await app.test(.router) { client in
            // P1's duty on G1 began on 2025-01-01; staff P3 logs for P2, whose grid is G2.
            for (token, body, message, details) in [
                (tokens["P1"], visit("H1", at: "2024-12-31T09:00:00+08:00"), "P1 holds no duty covering household H1 on 2024-12-31",
                 [["field": "visited_at", "problem": "is outside the dates of P1's duties covering household H1"]]),
                (tokens["P3"], visit("H1", at: "2026-11-30T09:00:00+08:00", visitor: "P2"), "P2 holds no duty covering household H1 on 2026-11-30",
                 [["field": "visitor_id", "problem": "P2 holds no duty covering household H1 on the visit's date"]]),
                (tokens["P1"], visit("H2", at: "2026-11-30T09:00:00+08:00"), "this is outside your units", []),
            ] {
                try await client.execute(uri: "/api/v1/visits", method: .post, headers: bearer(try #require(token)), body: body) { response in
                    #expect(response.status == .forbidden)
                    let error = try #require(try await json(response)["error"] as? [String: Any])
                    #expect(error.keys.sorted() == ["code", "details", "message"])
                    #expect(error["code"] as? String == "forbidden")
                    #expect(error["message"] as? String == message)
                    #expect(error["details"] as? [[String: String]] == details)
                }
            }
            // The first day of the duty is inside it.
            try await client.execute(uri: "/api/v1/visits", method: .post, headers: bearer(try #require(tokens["P1"])),
                                     body: visit("H1", at: "2025-01-01T09:00:00+08:00")) { #expect($0.status == .created) }
        }
        #expect(try await count(database, "visits") == 1)
    }

    @Test("every file in the pages' folders is served from the executable")
    func everyFileEmbedded() throws {
        let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/GridbookWeb/Resources")
        var onDisk: Set<String> = []
        for folder in ["app", "site"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: resources.appendingPathComponent(folder).path) {
                onDisk.insert(folder + "/" + name)
            }
        }
        #expect(onDisk == WebOptions.embeddedFiles)
    }
}
