import Foundation
import GRDB
@testable import GridbookAPI
import GridbookCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension TestClientProtocol {
    /// A POST of raw body bytes to an Open311 path (a body no encoder would make).
    func open311Bytes(_ uri: String, _ body: [UInt8], contentType: String) async throws -> Reply {
        try await execute(uri: uri, method: .post, headers: [.contentType: contentType], body: ByteBuffer(bytes: body)) { response in
            Reply(status: response.status, text: String(buffer: response.body), contentType: response.headers[.contentType])
        }
    }
}

/// Open311's rules for what is one request, what a form's bytes may be, what a list shows and
/// how its addresses and parameters are read (found by an outside tester, explore3).
@Suite("Open311 request rules")
struct Open311RequestRuleTests {
    let xmlHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

    /// The number of cases and of Open311 request rows.
    func counts(_ database: AppDatabase) async throws -> [Int] {
        try await database.read { db in
            [try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cases") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM open311_requests") ?? -1]
        }
    }

    @Test("another village, other parties or another caller with the same words is another request; a true retry is not")
    func fingerprintCoversEveryField() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let admin = tokens["P9"]!
        @Sendable func land(_ extra: [(String, String)]) -> String {
            form([("api_key", admin), ("service_code", "land"), ("address_string", "村口老槐树下"), ("description", "两户因宅基地界址争执")] + extra)
        }
        try await app.test(.router) { client in
            // Given a request filed in V1 about 张三 and 李四, by 张伟.
            let first = [("attribute[village]", "V1"), ("attribute[parties]", "张三；李四"), ("last_name", "张"), ("first_name", "伟"),
                         ("phone", "13812345678")]
            let filed = try await client.open311(.post, "/open311/v2/requests.json", form: land(first), idempotencyKey: "k-1")
            #expect(filed.status == .created)
            #expect(filed.text.hasPrefix(#"[{"service_request_id":"2026-000001""#))
            // A true retry (every field again) is the first request.
            let retry = try await client.open311(.post, "/open311/v2/requests.json", form: land(first))
            #expect(retry.status == .ok)
            #expect(retry.text == filed.text)
            // The same Idempotency-Key with another village is 400, and writes nothing.
            let otherVillage = [("attribute[village]", "V2"), ("attribute[parties]", "张三；李四"), ("last_name", "张"), ("first_name", "伟"),
                                ("phone", "13812345678")]
            let reused = try await client.open311(.post, "/open311/v2/requests.json", form: land(otherVillage), idempotencyKey: "k-1")
            #expect(reused.status == .badRequest)
            #expect(reused.text == #"[{"code":400,"description":"Idempotency-Key: was sent before with another request"}]"#)
            #expect(try await counts(database) == [1, 1])
            // Without the key: another village, other parties, another caller are each a case of their own.
            let village = try await client.open311(.post, "/open311/v2/requests.json", form: land(otherVillage))
            #expect(village.status == .created)
            #expect(village.text.hasPrefix(#"[{"service_request_id":"2026-000002""#))
            let parties = try await client.open311(.post, "/open311/v2/requests.json", form: land(
                [("attribute[village]", "V1"), ("attribute[parties]", "王五；赵六"), ("last_name", "张"), ("first_name", "伟"), ("phone", "13812345678")]))
            #expect(parties.status == .created)
            let caller = try await client.open311(.post, "/open311/v2/requests.json", form: land(
                [("attribute[village]", "V1"), ("attribute[parties]", "张三；李四"), ("last_name", "李"), ("first_name", "娜"), ("phone", "13900002222")]))
            #expect(caller.status == .created)
            #expect(caller.text.hasPrefix(#"[{"service_request_id":"2026-000004""#))
        }
        // Each case is where and about whom its request said, with its own reporter.
        let cases = try await database.cases().items
        #expect(cases.map(\.id) == ["2026-000001", "2026-000002", "2026-000003", "2026-000004"])
        #expect(cases.map(\.unitCode) == ["V1", "V2", "V1", "V1"])
        #expect(cases.map(\.parties) == ["张三；李四", "张三；李四", "王五；赵六", "张三；李四"])
        #expect(try await database.caseDetail(id: "2026-000001").reporter?.name == "张伟")
        let second = try await database.caseDetail(id: "2026-000004").reporter
        #expect(second?.name == "李娜" && second?.phone == "139****2222")
        #expect(try await counts(database) == [4, 4])
    }

    @Test("a raw GB18030 form body is 400 naming the field, with or without charset=utf-8, in the format asked; nothing is filed")
    func rawGB18030() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        // 两户 in GB18030, sent as raw bytes and percent-encoded.
        let head = Array("api_key=\(tokens["P3"]!)&service_code=land&address_id=V1&description=".utf8)
        let raw = head + [0xC1, 0xBD, 0xBB, 0xA7]
        let encoded = head + Array("%C1%BD%BB%A7".utf8)
        try await app.test(.router) { client in
            for body in [raw, encoded] {
                for type in ["application/x-www-form-urlencoded; charset=utf-8", "application/x-www-form-urlencoded"] {
                    let json = try await client.open311Bytes("/open311/v2/requests.json", body, contentType: type)
                    #expect(json.status == .badRequest)
                    #expect(json.text == #"[{"code":400,"description":"description is not percent-encoded UTF-8 text"}]"#)
                    let xml = try await client.open311Bytes("/open311/v2/requests.xml", body, contentType: type)
                    #expect(xml.status == .badRequest)
                    #expect(xml.text == xmlHead + "<errors><error><code>400</code><description>description is not percent-encoded UTF-8 text</description></error></errors>\n")
                }
            }
            // A name that is not UTF-8 is refused too, without showing its bytes.
            let name = try await client.open311Bytes("/open311/v2/requests.json", head + Array("x&".utf8) + [0xC1, 0xBD] + Array("=1".utf8),
                                                     contentType: "application/x-www-form-urlencoded")
            #expect(name.text == #"[{"code":400,"description":"the body is not a form: a field's name is not percent-encoded UTF-8"}]"#)
            #expect(try await counts(database) == [0, 0])
            // Raw UTF-8 is still read as the text it is.
            let utf8 = try await client.open311Bytes("/open311/v2/requests.json", head + Array("两户".utf8),
                                                     contentType: "application/x-www-form-urlencoded")
            #expect(utf8.status == .created)
        }
        #expect(try await database.read { try String.fetchAll($0, sql: "SELECT description FROM open311_requests") } == ["两户"])
    }

    @Test("only requests filed through Open311 are listed or found, to everyone; free text shows phone numbers masked")
    func onlyOpen311Requests() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let admin = tokens["P9"]!
        // Given a walk-in case (no service request) dispatched to someone named with a phone...
        _ = try await database.fileCase(NewCase(title: "王某某精神障碍 走失风险", category: "mental_health", unitCode: "V1", source: .walkIn),
                                        by: .person("P9"))
        try await app.test(.router) { client in
            _ = try await client.call(.post, "/api/v1/cases/2026-000001/actions", admin,
                                      #"{"action": "dispatch", "assignee": "镇精防专干 李明 13900001111"}"#)
            // ...and a request filed through Open311, dispatched and resolved with a phone and an email in the words.
            let filed = try await client.open311(.post, "/open311/v2/requests.json",
                                                 form: form([("api_key", admin), ("service_code", "neighbour"), ("address_id", "V1"),
                                                             ("description", "楼上噪音，回电 13812345678")]))
            #expect(filed.status == .created)
            _ = try await client.call(.post, "/api/v1/cases/2026-000002/actions", admin,
                                      #"{"action": "dispatch", "assignee": "一村调委会 刘调解 13912345678"}"#)
            #expect(try await client.call(.post, "/api/v1/cases/2026-000002/actions", admin, #"{"action": "start"}"#).status == .ok)
            _ = try await client.call(.post, "/api/v1/cases/2026-000002/actions", admin,
                                      #"{"action": "resolve", "note": "已调解，联系 liu@example.com 或 0471-6543210"}"#)

            let ticket = #"{"service_request_id":"2026-000002","status":"open","service_code":"neighbour","agency_responsible":"一村调委会 刘调解 139****5678","service_notice":"案件 2026-000002：已化解，待回访；办理期限 2026-12-08","requested_datetime":"2026-12-01T08:00:00+08:00","updated_datetime":"2026-12-01T08:00:00+08:00","expected_datetime":"2026-12-08T23:59:59+08:00"}"#
            let listed = try await client.open311(.get, "/open311/v2/requests.json").text
            #expect(listed == "[\(ticket)]", "\(listed)")
            #expect(try await client.open311(.get, "/open311/v2/requests.json?service_code=mental_health").text == "[]")
            let walkIn = try await client.open311(.get, "/open311/v2/requests/2026-000001.json")
            #expect(walkIn.status == .notFound)
            #expect(walkIn.text == #"[{"code":404,"description":"there is no service request 2026-000001"}]"#)
            #expect(try await client.open311(.get, "/open311/v2/requests.json?service_request_id=2026-000001,2026-000002").text == "[\(ticket)]")
            // A key in scope sees the request whole, its free text masked, and still not the walk-in case.
            let full = #"{"service_request_id":"2026-000002","status":"open","status_notes":"已调解，联系 l***@example.com 或 047****3210","service_name":"邻里纠纷","service_code":"neighbour","description":"楼上噪音，回电 138****5678","agency_responsible":"一村调委会 刘调解 139****5678","service_notice":"案件 2026-000002：已化解，待回访；办理期限 2026-12-08","requested_datetime":"2026-12-01T08:00:00+08:00","updated_datetime":"2026-12-01T08:00:00+08:00","expected_datetime":"2026-12-08T23:59:59+08:00","address":"甲镇 一村","address_id":"V1","zipcode":null,"lat":null,"long":null,"media_url":null}"#
            let whole = try await client.open311(.get, "/open311/v2/requests.json?api_key=\(admin)").text
            #expect(whole == "[\(full)]", "\(whole)")
            #expect(try await client.open311(.get, "/open311/v2/requests/2026-000001.json?api_key=\(admin)").status == .notFound)
            let xml = try await client.open311(.get, "/open311/v2/requests.xml")
            #expect(xml.text.contains("<agency_responsible>一村调委会 刘调解 139****5678</agency_responsible>"))
            #expect(!xml.text.contains("2026-000001") && !xml.text.contains("13900001111"))
        }
        // The ledger keeps what was written.
        #expect(try await database.caseDetail(id: "2026-000001").dispute.assignee == "镇精防专干 李明 13900001111")
    }

    @Test("masking free text: phone and ID numbers by length, email addresses; dates and case ids untouched")
    func masking() {
        #expect(Open311.masked("李明 13900001111") == "李明 139****1111")
        #expect(Open311.masked("身份证 11010519491231002X，电话 6543210") == "身份证 110105********002X，电话 6*****0")
        #expect(Open311.masked("联系zhangwei@example.com.cn") == "联系z***@example.com.cn")
        #expect(Open311.masked("2026-12-08 案件 2026-000002") == "2026-12-08 案件 2026-000002")
        #expect(Open311.masked("一村调委会") == "一村调委会")
        // Numbers written in groups or in full-width digits, as staff type them.
        #expect(Open311.masked("调委会 刘 138-1234-5678") == "调委会 刘 138****5678")
        #expect(Open311.masked("刘 138 1234 5678，办公 0471-6912345") == "刘 138****5678，办公 047****2345")
        #expect(Open311.masked("电话１３８１２３４５６７８") == "电话138****5678")
        #expect(Open311.masked("2026-12-08 至 2026-12-15 期间") == "2026-12-08 至 2026-12-15 期间")
    }

    @Test("percent-encoded path segments are decoded, in every resource; a bad escape is 404")
    func decodedPaths() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let filed = try await client.open311(.post, "/open311/v2/%72equests.json",
                                                 form: form([("api_key", tokens["P3"]!), ("service_code", "land"), ("address_id", "V1")]),
                                                 idempotencyKey: "a b")
            #expect(filed.status == .created)
            let land = try await client.open311(.get, "/open311/v2/services/land.json")
            #expect(land.status == .ok)
            #expect(try await client.open311(.get, "/open311/v2/services/%6Cand.json").text == land.text)
            #expect(try await client.open311(.get, "/open311/v2/services%2Ejson").text
                    == (try await client.open311(.get, "/open311/v2/services.json")).text)
            let request = try await client.open311(.get, "/open311/v2/requests/2026-000001.json")
            #expect(request.status == .ok)
            #expect(try await client.open311(.get, "/open311/v2/requests/2026%2D000001.json").text == request.text)
            #expect(try await client.open311(.get, "/open311/v2/tokens/a%20b.xml").text
                    == xmlHead + "<service_requests><request><service_request_id>2026-000001</service_request_id><token>a b</token></request></service_requests>\n")
            // `+` in a path is itself, not a space.
            #expect(try await client.open311(.get, "/open311/v2/tokens/a+b.json").status == .notFound)
            let bad = try await client.open311(.get, "/open311/v2/services/%FF.json")
            #expect(bad.status == .notFound)
            #expect(bad.text == #"[{"code":404,"description":"there is no resource %FF.json here: its escapes are not percent-encoded UTF-8"}]"#)
            // A query value whose bytes are not UTF-8 is 400 naming it, in the GeoReport form.
            let gbk = try await client.open311(.get, "/open311/v2/requests.json?service_code=%D5%C5")
            #expect(gbk.status == .badRequest)
            #expect(gbk.text == #"[{"code":400,"description":"service_code: is not percent-encoded UTF-8 text"}]"#)
            let nul = try await client.open311(.get, "/open311/v2/services/la%00nd.json")
            #expect(nul.status == .notFound)
            #expect(nul.text == #"[{"code":404,"description":"there is nothing at an address holding a NUL character (%00)"}]"#)
            let api = try await client.call(.get, "/api/v1/units/G1%00X", tokens["P9"]!)
            #expect(api.status == .notFound)
            #expect((api["error"] as? [String: Any])?["message"] as? String == "there is nothing at an address holding a NUL character (%00)")
        }
        #expect(try await counts(database) == [1, 1])
    }

    @Test("a filter given twice is 400 naming it; ids take spaces and + around them; dates keep their +08:00")
    func parameters() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            for code in ["land", "fraud"] {
                _ = try await client.open311(.post, "/open311/v2/requests.json",
                                             form: form([("api_key", tokens["P3"]!), ("service_code", code), ("address_id", "V1")]))
            }
            let refusals = [
                ("?service_code=fraud&service_code=land", "service_code is given 2 times: send one, with values separated by commas"),
                ("?status=closed&status=bogus", "status is given 2 times: send one, with values separated by commas"),
                ("?status=&status=open", "status is given 2 times: send one, with values separated by commas"),
                ("?service_request_id=2026-000001&service_request_id=2026-000002",
                 "service_request_id is given 2 times: send one, with values separated by commas"),
                ("?api_key=a&api_key=b", "api_key is given 2 times: send one, with values separated by commas"),
            ]
            for (query, description) in refusals {
                let reply = try await client.open311(.get, "/open311/v2/requests.json" + query)
                #expect(reply.status == .badRequest, "\(query)")
                #expect(reply.text == "[{\"code\":400,\"description\":\(Open311Document.jsonString(description))}]")
                let xml = try await client.open311(.get, "/open311/v2/requests.xml" + query)
                #expect(xml.text == xmlHead + "<errors><error><code>400</code><description>\(description)</description></error></errors>\n")
            }
            func ids(_ query: String) async throws -> [String] {
                let reply = try await client.open311(.get, "/open311/v2/requests.json" + query)
                let list = try #require(try JSONSerialization.jsonObject(with: Data(reply.text.utf8)) as? [[String: Any]], "\(reply.text)")
                return list.map { $0["service_request_id"] as? String ?? "" }
            }
            #expect(try await ids("?service_request_id=2026-000001,+2026-000002") == ["2026-000002", "2026-000001"])
            #expect(try await ids("?service_request_id=+2026-000001+,%202026-000002") == ["2026-000002", "2026-000001"])
            #expect(try await ids("?service_code=fraud,land") == ["2026-000002", "2026-000001"])
            #expect(try await ids("?start_date=2026-12-01T08:00:00+08:00&end_date=2026-12-01T08:00:00+08:00") == ["2026-000002", "2026-000001"])
            #expect(try await ids("?start_date=2026-12-01T08:00:01+08:00") == [])
        }
    }

    @Test("lat and long are plain decimal numbers in and out: no hexadecimal or exponent taken, none written")
    func plainNumbers() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let admin = tokens["P9"]!
        try await app.test(.router) { client in
            let refused = [("0x10", "1", "lat 0x10"), ("1e-7", "1", "lat 1e-7"), ("1", "inf", "long inf"), ("nan", "1", "lat nan"),
                           ("1.5.0", "1", "lat 1.5.0"), ("+", "1", "lat +"), ("1", "2E1", "long 2E1")]
            for (lat, long, what) in refused {
                let reply = try await client.open311(.post, "/open311/v2/requests.json",
                                                     form: form([("api_key", admin), ("service_code", "land"), ("lat", lat), ("long", long)]))
                #expect(reply.status == .badRequest)
                #expect(reply.text == "[{\"code\":400,\"description\":\"\(what) is not a number\"}]", "\(lat) \(long)")
            }
            #expect(try await counts(database) == [0, 0])
            let filed = try await client.open311(.post, "/open311/v2/requests.json",
                                                 form: form([("api_key", admin), ("service_code", "land"), ("lat", "0.0000001"), ("long", "-.5")]))
            #expect(filed.status == .created)
            let json = try await client.open311(.get, "/open311/v2/requests/2026-000001.json?api_key=\(admin)")
            #expect(json.text.contains(#""lat":0.0000001,"long":-0.5,"#))
            let xml = try await client.open311(.get, "/open311/v2/requests/2026-000001.xml?api_key=\(admin)")
            #expect(xml.text.contains("<lat>0.0000001</lat><long>-0.5</long>"))
        }
        #expect(Open311Controller.plainDecimal(1e-7) == "0.0000001")
        #expect(Open311Controller.plainDecimal(-1.25e-5) == "-0.0000125")
        #expect(Open311Controller.plainDecimal(1e16) == "10000000000000000.0")
        #expect(Open311Controller.plainDecimal(40.81) == "40.81")
        #expect(Open311Controller.plainDecimal(111) == "111.0")
    }
}
