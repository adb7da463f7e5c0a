import Foundation
import GRDB
import GridbookAPI
import GridbookCore
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing

/// A form body: each name and value percent-encoded.
func form(_ pairs: [(String, String)]) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return pairs.map { name, value in
        (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
    }.joined(separator: "&")
}

extension TestClientProtocol {
    /// An Open311 call: a GET, or a POST of a form (with an Idempotency-Key when given).
    func open311(_ method: HTTPRequest.Method, _ uri: String, form body: String? = nil, idempotencyKey: String? = nil,
                 contentType: String = "application/x-www-form-urlencoded; charset=utf-8", bearer: String? = nil) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        if body != nil { headers[.contentType] = contentType }
        if let idempotencyKey { headers[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Reply(status: response.status, text: String(buffer: response.body), contentType: response.headers[.contentType])
        }
    }
}

/// The Open311 tests' county: apiDatabase's, where P3 (township staff of T1) and P9 (county
/// admin) may file requests and P1 (a grid member) may not.
@Suite("Open311 GeoReport v2")
struct Open311Tests {
    let xmlHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

    /// A request P3 files about a neighbour dispute in V1.
    func noise(_ key: String, _ extra: [(String, String)] = []) -> String {
        form([("api_key", key), ("service_code", "neighbour"), ("address_id", "V1"), ("description", "楼上深夜噪音，多次协商无果"),
              ("first_name", "伟"), ("last_name", "张"), ("phone", "13812345678"), ("email", "zhangwei@example.com"),
              ("attribute[parties]", "张伟；王五")] + extra)
    }

    @Test("services: one per category, in both formats, public")
    func services() async throws {
        let (database, _) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let json = try await client.open311(.get, "/open311/v2/services.json")
            #expect(json.status == .ok)
            #expect(json.contentType == "application/json; charset=utf-8")
            let first = #"{"service_code":"neighbour","service_name":"邻里纠纷","description":"邻里纠纷：矛盾纠纷，登记为案件，由村（社区）、乡镇或县调处","metadata":true,"type":"realtime","keywords":"neighbour, dispute, 邻里纠纷","group":"dispute"}"#
            #expect(json.text.hasPrefix("[" + first + ","))
            let list = try #require(try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [[String: Any]])
            #expect(list.count == 17)
            #expect(list.last?["service_code"] as? String == "other_hazard")
            #expect(list.last?["group"] as? String == "hazard")
            let xml = try await client.open311(.get, "/open311/v2/services.xml")
            #expect(xml.contentType == "text/xml; charset=utf-8")
            #expect(xml.text.hasPrefix(xmlHead + "<services><service><service_code>neighbour</service_code><service_name>邻里纠纷</service_name><description>邻里纠纷：矛盾纠纷，登记为案件，由村（社区）、乡镇或县调处</description><metadata>true</metadata><type>realtime</type><keywords>neighbour, dispute, 邻里纠纷</keywords><group>dispute</group></service><service>"))
            #expect(xml.text.hasSuffix("<group>hazard</group></service></services>\n"))
            #expect(xml.text.components(separatedBy: "<service>").count - 1 == 17)
        }
    }

    @Test("a service definition: the county's villages and the parties, in both formats; an unknown service is 404")
    func definition() async throws {
        let (database, _) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let json = try await client.open311(.get, "/open311/v2/services/land.json")
            #expect(json.text == #"{"service_code":"land","attributes":[{"variable":true,"code":"village","datatype":"singlevaluelist","required":false,"datatype_description":"村（社区）代码；不填时以 address_id 或提交者所在单位为准","order":1,"description":"事发村（社区）","values":[{"key":"V1","name":"甲镇 一村"},{"key":"V2","name":"乙镇 二村"}]},{"variable":true,"code":"parties","datatype":"text","required":false,"datatype_description":"当事人姓名与关系，自由填写","order":2,"description":"当事人","values":[]}]}"#)
            let xml = try await client.open311(.get, "/open311/v2/services/land.xml")
            #expect(xml.text == xmlHead + "<service_definition><service_code>land</service_code><attributes><attribute><variable>true</variable><code>village</code><datatype>singlevaluelist</datatype><required>false</required><datatype_description>村（社区）代码；不填时以 address_id 或提交者所在单位为准</datatype_description><order>1</order><description>事发村（社区）</description><values><value><key>V1</key><name>甲镇 一村</name></value><value><key>V2</key><name>乙镇 二村</name></value></values></attribute><attribute><variable>true</variable><code>parties</code><datatype>text</datatype><required>false</required><datatype_description>当事人姓名与关系，自由填写</datatype_description><order>2</order><description>当事人</description><values></values></attribute></attributes></service_definition>\n")
            let unknown = try await client.open311(.get, "/open311/v2/services/potholes.json")
            #expect(unknown.status == .notFound)
            #expect(unknown.text == #"[{"code":404,"description":"unknown service potholes"}]"#)
            let unknownXML = try await client.open311(.get, "/open311/v2/services/potholes.xml")
            #expect(unknownXML.text == xmlHead + "<errors><error><code>404</code><description>unknown service potholes</description></error></errors>\n")
            #expect(try await client.open311(.get, "/open311/v2/services/land.csv").status == .notFound)
            #expect(try await client.open311(.get, "/open311/v2/nothing.json").text == #"[{"code":404,"description":"there is no resource nothing here"}]"#)
            #expect(try await client.open311(.get, "/open311/v2/a/b/c.xml").status == .notFound)
        }
    }

    @Test("a request filed by form becomes an accepted open311 case, with its ledger, in the API, the feed and the case report")
    func file() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let filed = try await client.open311(.post, "/open311/v2/requests.json", form: noise(tokens["P3"]!, [("account_id", "hotline-7")]))
            #expect(filed.status == .created)
            #expect(filed.text == #"[{"service_request_id":"2026-000001","service_notice":"案件 2026-000001：已受理，待派单；办理期限 2026-12-08","account_id":"hotline-7"}]"#)
            let dispute = try await client.call(.get, "/api/v1/cases/2026-000001", tokens["P3"]!)
            #expect(await sameJSON(dispute.text, #"""
                {"accepted_at": "2026-12-01T00:00:00Z", "assignee": null, "category": "neighbour", "deadline": "2026-12-08",
                 "feedback_given": false, "finished_at": null, "id": "2026-000001", "level": "village", "parties": "张伟；王五",
                 "reported_at": null, "risk_id": null, "satisfaction": null, "source": "open311", "status": "accepted",
                 "title": "邻里纠纷：楼上深夜噪音，多次协商无果", "track": "mediation", "unit_code": "V1",
                 "allowed_actions": ["dispatch", "respond", "start", "escalate", "note"], "first_response_seconds": null,
                 "reporter": {"name": "张伟", "phone": "138****5678", "email": "z***@example.com", "account_id": "hotline-7",
                              "device_id": null, "media_url": null},
                 "ledger": [{"action": "accept", "actor": "P3", "at": "2026-12-01T00:00:00Z", "note": "filed (open311)"}]}
                """#))
            // A county admin sees the reporter in full with reveal=true, audited; township staff may not.
            let revealed = try await client.call(.get, "/api/v1/cases/2026-000001?reveal=true", tokens["P9"]!)
            #expect((revealed["reporter"] as? [String: Any])?["phone"] as? String == "13812345678")
            #expect((revealed["reporter"] as? [String: Any])?["email"] as? String == "zhangwei@example.com")
            #expect(try await client.call(.get, "/api/v1/cases/2026-000001?reveal=true", tokens["P3"]!).status == .forbidden)
            let audit = try await database.auditEntries(actor: "P9")
            #expect(audit.map { "\($0.action) \($0.recordType) \($0.recordId) \($0.detail)" } == ["personal_data.reveal case 2026-000001 reporter of case 2026-000001"])
            let feed = try await client.call(.get, "/api/v1/events", tokens["P9"]!)
            #expect(feed.items("type") == ["case.created"])
            #expect(!feed.text.contains("13812345678") && !feed.text.contains("zhangwei"))
            let report = try await client.call(.get, "/api/v1/reports/cases?unit=T1&from=2026-12-01&to=2026-12-01", tokens["P3"]!)
            #expect((report["total"] as? [String: Any])?["accepted"] as? Int == 1)

            let xml = try await client.open311(.post, "/open311/v2/requests.xml",
                                               form: form([("api_key", tokens["P9"]!), ("service_code", "fraud"), ("lat", "40.81"), ("long", "111.65")]))
            #expect(xml.status == .created)
            #expect(xml.text == xmlHead + "<service_requests><request><service_request_id>2026-000002</service_request_id><service_notice>案件 2026-000002：已受理，待派单；办理期限 2026-12-31</service_notice><account_id></account_id></request></service_requests>\n")
            // Without an address, the case arises at the key owner's unit: the county admin's county.
            let second = try await database.caseDetail(id: "2026-000002")
            #expect(second.dispute.unitCode == "C")
            #expect(second.dispute.level == .county)
            #expect(second.dispute.title == "电信诈骗风险（Open311）")
            #expect(second.reporter == nil)
        }
    }

    @Test("a retry returns the first request: the same Idempotency-Key, or the same key, service, place and words within 10 minutes")
    func retries() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let first = try await client.open311(.post, "/open311/v2/requests.json", form: noise(tokens["P3"]!), idempotencyKey: "k-1")
            #expect(first.status == .created)
            let again = try await client.open311(.post, "/open311/v2/requests.json", form: noise(tokens["P3"]!), idempotencyKey: "k-1")
            #expect(again.status == .ok)
            #expect(again.text == first.text)
            // The same key with another request: refused, nothing written.
            let other = try await client.open311(.post, "/open311/v2/requests.json",
                                                 form: noise(tokens["P3"]!, [("attribute[village]", "V1"), ("address_string", "一村东头")]),
                                                 idempotencyKey: "k-1")
            #expect(other.status == .badRequest)
            #expect(other.text == #"[{"code":400,"description":"Idempotency-Key: was sent before with another request"}]"#)
            // No key: the same api_key, service, location and description is the first request.
            #expect(try await client.open311(.post, "/open311/v2/requests.json", form: noise(tokens["P3"]!)).text == first.text)
            #expect(try await database.cases().items.count == 1)
            // Another api_key's same words are another request.
            #expect(try await client.open311(.post, "/open311/v2/requests.json", form: noise(tokens["P9"]!)).status == .created)
            #expect(try await database.cases().items.count == 2)
            // The token is the Idempotency-Key.
            #expect(try await client.open311(.get, "/open311/v2/tokens/k-1.json").text == #"[{"service_request_id":"2026-000001","token":"k-1"}]"#)
            #expect(try await client.open311(.get, "/open311/v2/tokens/k-1.xml").text == xmlHead + "<service_requests><request><service_request_id>2026-000001</service_request_id><token>k-1</token></request></service_requests>\n")
            #expect(try await client.open311(.get, "/open311/v2/tokens/k-2.json").status == .notFound)
        }
        // Past 10 minutes, the same words are a new request.
        let caller = try #require(try await database.authenticate(token: tokens["P3"]!))
        var submission = Open311Submission(serviceCode: "neighbour")
        submission.addressId = "V1"
        submission.description = "院墙渗水，邻居不肯修"
        let hash = APIToken.hash(of: tokens["P3"]!)
        let within = try await database.fileOpen311Request(submission, by: caller, apiKeyHash: hash, now: apiNow.addingTimeInterval(599))
        #expect(within.serviceRequestId == "2026-000003" && within.created)
        let retried = try await database.fileOpen311Request(submission, by: caller, apiKeyHash: hash, now: apiNow.addingTimeInterval(900))
        #expect(retried.serviceRequestId == "2026-000003" && !retried.created)
        let later = try await database.fileOpen311Request(submission, by: caller, apiKeyHash: hash, now: apiNow.addingTimeInterval(1200))
        #expect(later.serviceRequestId == "2026-000004" && later.created)
    }

    @Test("every bad post answers the specification's error in the format asked, and files nothing")
    func refusals() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let staff = tokens["P3"]!
        let long = String(repeating: "吵", count: 4001)
        let cases: [(String, HTTPResponse.Status, String)] = [
            (form([("service_code", "neighbour"), ("address_id", "V1")]), .forbidden,
             "api_key is missing: a request is filed with a Gridbook token whose owner may file cases"),
            (form([("api_key", "gb_nonsense"), ("service_code", "neighbour"), ("address_id", "V1")]), .forbidden,
             "invalid api_key: unknown, revoked or expired"),
            (form([("api_key", tokens["P1"]!), ("service_code", "neighbour"), ("address_id", "G1")]), .forbidden,
             "this api_key may not file requests: only township staff, mediators and county admins may"),
            (form([("api_key", staff), ("service_code", "potholes"), ("address_id", "V1")]), .notFound, "unknown service potholes"),
            (form([("api_key", staff), ("address_id", "V1")]), .badRequest, "service_code is missing"),
            (form([("api_key", staff), ("service_code", "neighbour")]), .badRequest,
             "location: is missing: send lat and long, address_string or address_id"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("lat", "40.1")]), .badRequest,
             "long: is missing: a location by coordinates needs lat and long"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("lat", "north"), ("long", "1")]), .badRequest, "lat north is not a number"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("lat", "91"), ("long", "1")]), .badRequest,
             "lat: 91.0 is not a latitude (-90 to 90)"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("address_id", "V1"), ("description", long)]), .badRequest,
             "description: is longer than 4000 characters"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("address_id", "H1")]), .badRequest,
             "address_id: \"H1\" is not a village or grid code"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("address_id", "T1")]), .badRequest,
             "address_id: \"T1\" is not a village or grid code"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("address_id", "V2")]), .forbidden, "this is outside your units"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("address_string", "x"), ("attribute[village]", "G1")]), .badRequest,
             "attribute[village]: \"G1\" is not one of the county's villages"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("address_id", "V1"), ("attribute[colour]", "red")]), .badRequest,
             "attribute[colour]: is not an attribute of service neighbour"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("address_id", "V1"), ("email", "not-an-address")]), .badRequest,
             "email: \"not-an-address\" is not an email address"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("address_id", "V1"), ("media_url", "javascript:alert(1)")]), .badRequest,
             "media_url: is not an http or https address"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("address_id", "V1"), ("description", "a\u{7}b")]), .badRequest,
             "description: holds a control character (U+0007)"),
            (form([("api_key", staff), ("service_code", "neighbour"), ("service_code", "land"), ("address_id", "V1")]), .badRequest,
             "service_code is given 2 times"),
            ("api_key=\(staff)&service_code=neighbour&address_id=V1&description=%E5%9", .badRequest,
             "description is not percent-encoded UTF-8 text"),
        ]
        try await app.test(.router) { client in
            for (body, status, description) in cases {
                let reply = try await client.open311(.post, "/open311/v2/requests.json", form: body)
                #expect(reply.status == status, "\(description)")
                #expect(reply.text == "[{\"code\":\(status.code),\"description\":\(Open311Document.jsonString(description))}]")
                let xml = try await client.open311(.post, "/open311/v2/requests.xml", form: body)
                #expect(xml.text == xmlHead + "<errors><error><code>\(status.code)</code><description>\(Open311Document.xmlText(description))</description></error></errors>\n")
            }
            let json = try await client.open311(.post, "/open311/v2/requests.json", form: #"{"service_code": "neighbour"}"#, contentType: "application/json")
            #expect(json.text == #"[{"code":400,"description":"the body must be application/x-www-form-urlencoded; charset=utf-8, not application/json"}]"#)
            // Bytes that are not text in the charset named: GB18030 sent as UTF-8, a lone GB18030 lead byte.
            let raw = try await client.open311(.post, "/open311/v2/requests.json", form: form([("api_key", staff), ("service_code", "land"), ("address_id", "V1")]) + "&description=%CD%C1%B5%D8")
            #expect(raw.text == #"[{"code":400,"description":"description is not percent-encoded UTF-8 text"}]"#)
            let gbk = try await client.open311(.post, "/open311/v2/requests.json", form: form([("api_key", staff), ("service_code", "land"), ("address_id", "V1")]) + "&description=%CD",
                                               contentType: "application/x-www-form-urlencoded; charset=gbk")
            #expect(gbk.text == #"[{"code":400,"description":"description is not percent-encoded GB18030 text"}]"#)
        }
        #expect(try await database.cases().items.isEmpty)
        #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM open311_requests") } == 0)
        // 4,000 characters is allowed; the key may come as a bearer token instead of api_key.
        try await app.test(.router) { client in
            let bearer = try await client.open311(.post, "/open311/v2/requests.json",
                                                  form: form([("service_code", "land"), ("address_id", "V1")]), bearer: staff)
            #expect(bearer.status == .created)
            let filed = try await client.open311(.post, "/open311/v2/requests.json",
                                                 form: form([("api_key", staff), ("service_code", "neighbour"), ("address_id", "V1"),
                                                             ("description", String(long.dropFirst()))]))
            #expect(filed.status == .created)
        }
    }

    @Test("reading requests: a claim ticket without a key, the whole request in the key's scope, each filter and rule")
    func reading() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let staff = tokens["P3"]!
        // An older request, 100 days before now: outside the default window.
        var old = Open311Submission(serviceCode: "land")
        old.addressId = "V2"
        old.description = "旧账"
        let admin = try #require(try await database.authenticate(token: tokens["P9"]!))
        _ = try await database.fileOpen311Request(old, by: admin, apiKeyHash: APIToken.hash(of: tokens["P9"]!),
                                                  now: apiNow.addingTimeInterval(-100 * 86_400))
        try await app.test(.router) { client in
            _ = try await client.open311(.post, "/open311/v2/requests.json",
                                         form: noise(staff, [("lat", "40.5"), ("long", "111.25"), ("media_url", "https://example.com/a.jpg")]))
            _ = try await client.call(.post, "/api/v1/cases/2026-000002/actions", staff, #"{"action": "dispatch", "assignee": "一村调委会 刘调解"}"#)
            _ = try await client.call(.post, "/api/v1/cases/2026-000002/actions", staff, #"{"action": "start"}"#)
            _ = try await client.call(.post, "/api/v1/cases/2026-000002/actions", staff, #"{"action": "note", "note": "内部：双方情绪激动"}"#)
            _ = try await client.call(.post, "/api/v1/cases/2026-000002/actions", staff, #"{"action": "resolve", "note": "双方达成协议，夜间十点后不再施工"}"#)

            let ticket = #"{"service_request_id":"2026-000002","status":"open","service_code":"neighbour","agency_responsible":"一村调委会 刘调解","service_notice":"案件 2026-000002：已化解，待回访；办理期限 2026-12-08","requested_datetime":"2026-12-01T08:00:00+08:00","updated_datetime":"2026-12-01T08:00:00+08:00","expected_datetime":"2026-12-08T23:59:59+08:00"}"#
            #expect(try await client.open311(.get, "/open311/v2/requests/2026-000002.json").text == "[\(ticket)]")
            let full = #"{"service_request_id":"2026-000002","status":"open","status_notes":"双方达成协议，夜间十点后不再施工","service_name":"邻里纠纷","service_code":"neighbour","description":"楼上深夜噪音，多次协商无果","agency_responsible":"一村调委会 刘调解","service_notice":"案件 2026-000002：已化解，待回访；办理期限 2026-12-08","requested_datetime":"2026-12-01T08:00:00+08:00","updated_datetime":"2026-12-01T08:00:00+08:00","expected_datetime":"2026-12-08T23:59:59+08:00","address":"甲镇 一村","address_id":"V1","zipcode":null,"lat":40.5,"long":111.25,"media_url":"https://example.com/a.jpg"}"#
            #expect(try await client.open311(.get, "/open311/v2/requests/2026-000002.json?api_key=\(staff)").text == "[\(full)]")
            #expect(try await client.open311(.get, "/open311/v2/requests/2026-000002.xml?api_key=\(staff)").text == xmlHead + "<service_requests><request><service_request_id>2026-000002</service_request_id><status>open</status><status_notes>双方达成协议，夜间十点后不再施工</status_notes><service_name>邻里纠纷</service_name><service_code>neighbour</service_code><description>楼上深夜噪音，多次协商无果</description><agency_responsible>一村调委会 刘调解</agency_responsible><service_notice>案件 2026-000002：已化解，待回访；办理期限 2026-12-08</service_notice><requested_datetime>2026-12-01T08:00:00+08:00</requested_datetime><updated_datetime>2026-12-01T08:00:00+08:00</updated_datetime><expected_datetime>2026-12-08T23:59:59+08:00</expected_datetime><address>甲镇 一村</address><address_id>V1</address_id><zipcode></zipcode><lat>40.5</lat><long>111.25</long><media_url>https://example.com/a.jpg</media_url></request></service_requests>\n")
            #expect(try await client.open311(.get, "/open311/v2/requests/2026-000002.xml").text == xmlHead + "<service_requests><request><service_request_id>2026-000002</service_request_id><status>open</status><service_code>neighbour</service_code><agency_responsible>一村调委会 刘调解</agency_responsible><service_notice>案件 2026-000002：已化解，待回访；办理期限 2026-12-08</service_notice><requested_datetime>2026-12-01T08:00:00+08:00</requested_datetime><updated_datetime>2026-12-01T08:00:00+08:00</updated_datetime><expected_datetime>2026-12-08T23:59:59+08:00</expected_datetime></request></service_requests>\n")
            // A key whose owner may not see the unit gets the claim ticket; a bad key is 403.
            #expect(try await client.open311(.get, "/open311/v2/requests/2026-000002.json?api_key=\(tokens["P2"]!)").text == "[\(ticket)]")
            #expect(try await client.open311(.get, "/open311/v2/requests/2026-000002.json?api_key=nonsense").status == .forbidden)
            #expect(try await client.open311(.get, "/open311/v2/requests/2026-999999.json").text == #"[{"code":404,"description":"there is no service request 2026-999999"}]"#)

            func ids(_ query: String) async throws -> [String] {
                let reply = try await client.open311(.get, "/open311/v2/requests.json" + query)
                let list = try #require(try JSONSerialization.jsonObject(with: Data(reply.text.utf8)) as? [[String: Any]], "\(reply.text)")
                return list.map { $0["service_request_id"] as? String ?? "" }
            }
            #expect(try await ids("") == ["2026-000002"])
            #expect(try await ids("?service_request_id=2026-000001,2026-000002&status=closed") == ["2026-000002", "2026-000001"])
            #expect(try await ids("?start_date=2026-08-01T00:00:00Z&end_date=2026-10-01T00:00:00Z") == ["2026-000001"])
            #expect(try await ids("?start_date=2026-08-23") == ["2026-000001"])
            // Dates 90 days apart: the last day whole.
            #expect(try await ids("?start_date=2026-06-04&end_date=2026-09-02") == ["2026-000001"])
            #expect(try await ids("?status=open") == ["2026-000002"])
            #expect(try await ids("?status=closed") == [])
            #expect(try await ids("?status=open,closed&service_code=land,fraud") == [])
            #expect(try await ids("?status=&service_code=&start_date=&end_date=&service_request_id=") == ["2026-000002"])
            let refusals = [
                ("?start_date=2026-08-01T00:00:00Z&end_date=2026-11-01T00:00:00Z", "end_date: is more than 90 days after start_date"),
                ("?start_date=2026-11-01&end_date=2026-10-01", "end_date: is before start_date"),
                ("?start_date=2026-07-01&end_date=2026-09-30", "end_date: is more than 90 days after start_date"),
                ("?start_date=2026-07-01T00:00:00Z&end_date=2026-09-30T01:00:00Z", "end_date: is more than 90 days after start_date"),
                ("?start_date=yesterday", "start_date yesterday is not a W3C date-time (for example 2026-12-01T00:00:00+08:00)"),
                ("?status=pending", "status pending is not open or closed"),
            ]
            for (query, description) in refusals {
                let reply = try await client.open311(.get, "/open311/v2/requests.json" + query)
                #expect(reply.text == "[{\"code\":400,\"description\":\(Open311Document.jsonString(description))}]")
            }
            _ = try await client.call(.post, "/api/v1/cases/2026-000002/actions", staff, #"{"action": "follow_up", "satisfaction": "satisfied"}"#)
            _ = try await client.call(.post, "/api/v1/cases/2026-000002/actions", staff, #"{"action": "close", "note": "已回访，结案"}"#)
            #expect(try await ids("?status=closed") == ["2026-000002"])
        }
    }

    @Test("a list answers at most 1,000 requests, the newest")
    func thousand() async throws {
        let (database, tokens) = try await apiDatabase()
        let admin = try #require(try await database.authenticate(token: tokens["P9"]!))
        for index in 0..<1001 {
            var submission = Open311Submission(serviceCode: "other")
            submission.addressId = "V1"
            submission.description = "第\(index)件"
            _ = try await database.fileOpen311Request(submission, by: admin, apiKeyHash: APIToken.hash(of: tokens["P9"]!),
                                                      now: apiNow.addingTimeInterval(Double(index - 1001)))
        }
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let reply = try await client.open311(.get, "/open311/v2/requests.json?api_key=\(tokens["P9"]!)")
            let list = try #require(try JSONSerialization.jsonObject(with: Data(reply.text.utf8)) as? [[String: Any]])
            #expect(list.count == 1000)
            #expect(list.first?["service_request_id"] as? String == "2026-001001")
            #expect(list.last?["service_request_id"] as? String == "2026-000002")
        }
    }

    @Test("discovery describes the endpoint")
    func discovery() async throws {
        let (database, _) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        try await app.test(.router) { client in
            let reply = try await client.open311(.get, "/open311/v2/discovery.json").text
            // The url is the one the request was sent to (the Host header's authority).
            let url = try #require(reply.range(of: #""url":"(http://[^"]*)""#, options: .regularExpression).map { String(reply[$0]) })
            #expect(url.hasSuffix(#"/open311/v2""#))
            #expect(reply.replacingOccurrences(of: url, with: #""url":"URL""#) == #"{"changeset":"2026-12-07T00:00:00Z","contact":"县（市、区）社会治理综合服务中心（综治中心）","key_service":"api_key 由综治中心以 gridbook token issue --person ID 签发，持有人须能受理案件","endpoints":[{"specification":"http://wiki.open311.org/GeoReport_v2","url":"URL","changeset":"2026-12-07T00:00:00Z","type":"production","formats":["text/xml","application/json"]}]}"#)
            let xml = try await client.open311(.get, "/open311/v2/discovery.xml")
            #expect(xml.text.contains("<formats><format>text/xml</format><format>application/json</format></formats></endpoint></endpoints></discovery>\n"))
        }
    }

    @Test("a form is UTF-8 whatever charset it names (ISO-8859-1 from Java's clients), GB18030 when it names a Chinese one; a title masks numbers")
    func charsets() async throws {
        let (database, tokens) = try await apiDatabase()
        let staff = try #require(tokens["P3"])
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let gb18030 = try TextDecoding.transcode(Array("土地纠纷，电话 139-1234-5678".utf8), from: "UTF-8", to: "GB18030")
        try await app.test(.router) { client in
            for (charset, description) in [("ISO-8859-1", form([("description", "plain words")])), ("us-ascii", form([("description", "界址 13912345678")])),
                                           ("GB18030", "description=" + gb18030.map { String(format: "%%%02X", $0) }.joined())] {
                let reply = try await client.open311(.post, "/open311/v2/requests.json",
                                                     form: form([("api_key", staff), ("service_code", "land"), ("address_id", "V1")]) + "&" + description,
                                                     contentType: "application/x-www-form-urlencoded; charset=\(charset)")
                #expect(reply.status == .created, "\(charset): \(reply.text)")
            }
        }
        let titles = try await database.read { db in try String.fetchAll(db, sql: "SELECT title FROM cases ORDER BY id") }
        #expect(titles == ["土地山林纠纷：plain words", "土地山林纠纷：界址 139****5678", "土地山林纠纷：土地纠纷，电话 139****5678"])
        let descriptions = try await database.read { db in try String.fetchAll(db, sql: "SELECT description FROM open311_requests ORDER BY case_id") }
        #expect(descriptions == ["plain words", "界址 13912345678", "土地纠纷，电话 139-1234-5678"])
    }

    @Test("every answer under /open311/ allows any origin, a browser's preflight is answered 204; /api/v1 allows none")
    func crossOrigin() async throws {
        let (database, tokens) = try await apiDatabase()
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        let origin: HTTPFields = [.origin: "https://report.example"]
        try await app.test(.router) { client in
            var preflight = origin
            preflight[.accessControlRequestMethod] = "POST"
            preflight[.accessControlRequestHeaders] = "idempotency-key"
            try await client.execute(uri: "/open311/v2/requests.json", method: .options, headers: preflight) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.accessControlAllowMethods] == "GET, HEAD, POST")
                #expect(response.headers[.accessControlAllowHeaders] == "Authorization, Content-Type, Idempotency-Key")
            }
            for (uri, status) in [("/open311/v2/services.json", HTTPResponse.Status.ok), ("/open311/v2/requests/2026-999999.xml", .notFound)] {
                try await client.execute(uri: uri, method: .get, headers: origin) { response in
                    #expect(response.status == status)
                    #expect(response.headers[.accessControlAllowOrigin] == "*", "\(uri)")
                }
            }
            var api = origin
            api[.authorization] = "Bearer \(try #require(tokens["P3"]))"
            try await client.execute(uri: "/api/v1/me", method: .get, headers: api) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(uri: "/api/v1/me", method: .options, headers: api) { response in
                #expect(response.status == .methodNotAllowed)
            }
        }
    }

    @Test("a multipart/form-data request (a client attaching a photo) is read as the form is, its file passed over; a broken one is 400 and files nothing")
    func multipart() async throws {
        let (database, tokens) = try await apiDatabase()
        let staff = try #require(tokens["P3"])
        let app = Application(router: buildRouter(database: database), logger: quietLogger)
        func body(_ boundary: String, _ parts: [(String, [UInt8])], close: Bool = true) -> [UInt8] {
            var bytes: [UInt8] = Array("preamble\r\n".utf8)
            for (header, content) in parts {
                bytes += Array("--\(boundary)\r\n\(header)\r\n\r\n".utf8) + content + Array("\r\n".utf8)
            }
            return bytes + Array((close ? "--\(boundary)--\r\n" : "").utf8)
        }
        func field(_ name: String, _ value: String) -> (String, [UInt8]) {
            ("Content-Disposition: form-data; name=\"\(name)\"", Array(value.utf8))
        }
        let boundary = "----GridbookBoundaryAbC9"
        let photo: [UInt8] = [0xFF, 0xD8, 0x0D, 0x0A, 0x2D, 0x2D, 0x2D, 0x2D, 0x00, 0xFF]
        let good = body(boundary, [field("api_key", staff), field("service_code", "land"), field("address_id", "V1"),
                                   field("description", "地界争议\r\n第二行"), field("attribute[parties]", "张伟；王五"),
                                   ("Content-Disposition: form-data; name=\"media\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg", photo)])
        func post(_ bytes: [UInt8], _ type: String) async throws -> (HTTPResponse.Status, String) {
            try await app.test(.router) { client in
                try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: [.contentType: type],
                                         body: ByteBuffer(bytes: bytes)) { response in (response.status, String(buffer: response.body)) }
            }
        }
        let refusals: [([UInt8], String, String)] = [
            (good, "multipart/form-data", "the body is not multipart/form-data with the boundary its Content-Type names"),
            (good, "multipart/form-data; boundary=other", "the body is not multipart/form-data with the boundary its Content-Type names"),
            (body(boundary, [field("api_key", staff), field("service_code", "land")], close: false).dropLast(4) + [], "multipart/form-data; boundary=\(boundary)",
             "the body is not multipart/form-data: it ends before its closing boundary"),
            (body(boundary, [field("api_key", staff), ("Content-Disposition: form-data; name=\"description\"", [0xCD, 0xC1])]),
             "multipart/form-data; boundary=\(boundary)", "description is not UTF-8 text"),
            (body(boundary, [("Content-Type: text/plain", Array("x".utf8))]), "multipart/form-data; boundary=\(boundary)",
             "a part of the body has no Content-Disposition: form-data; name=\"…\""),
            // A part with no blank line after its headers does not take the next part as its own.
            (Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n--\(boundary)\r\n".utf8)
                + body(boundary, [field("api_key", staff), field("service_code", "land"), field("address_id", "V1")]).dropFirst(10),
             "multipart/form-data; boundary=\(boundary)", "a part of the body has no blank line after its headers"),
            (Array("--\(boundary)x\r\n".utf8) + body(boundary, [field("api_key", staff)]).dropFirst(10),
             "multipart/form-data; boundary=\(boundary)", "the body is not multipart/form-data with the boundary its Content-Type names"),
        ]
        for (bytes, type, problem) in refusals {
            let (status, text) = try await post(bytes, type)
            #expect(status == .badRequest && text == "[{\"code\":400,\"description\":\"\(problem.replacingOccurrences(of: "\"", with: "\\\""))\"}]", "\(text)")
        }
        #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM cases") } == 0)
        let (status, _) = try await post(good, "multipart/form-data; boundary=\"\(boundary)\"")
        #expect(status == .created)
        let filed = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT c.title, c.parties, o.description, o.media_url FROM cases c JOIN open311_requests o ON o.case_id = c.id")
                .map { row in [row[0], row[1], row[2], row[3] ?? "∅"] as [String] }
        }
        #expect(filed == [["土地山林纠纷：地界争议", "张伟；王五", "地界争议\r\n第二行", "∅"]])
    }
}
