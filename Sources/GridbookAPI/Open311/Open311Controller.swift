import Foundation
import GridbookCore
import HTTPTypes
import Hummingbird

/// Open311 GeoReport v2 at `/open311/v2` (SPEC section 8): the services (the dispute and hazard
/// categories), filing a request as a case, and reading requests back, each as `.xml` and
/// `.json`. The service list and definitions are public; filing needs an `api_key` (a Gridbook
/// token whose owner may file cases); a read without one answers claim tickets only.
struct Open311Controller {
    let database: AppDatabase

    func addRoutes(to router: Router<GridbookRequestContext>) {
        // Errors, a path under /open311/v2 that names nothing included, answer as GeoReport v2
        // says: Open311ErrorMiddleware, which buildRouter puts before every route.
        let group = router.group("open311/v2")
        group.get(":resource", use: resource)
        group.post(":resource", use: create)
        group.get("services/:file", use: serviceDefinition)
        group.get("requests/:file", use: request)
        group.get("tokens/:file", use: token)
    }

    /// `discovery`, `services` and `requests` (GET).
    @Sendable func resource(_ request: Request, context: GridbookRequestContext) async throws -> Response {
        let (name, format) = try Self.file(context.parameters.require("resource"))
        switch name {
        case "discovery": return Self.discovery(request).response(format)
        case "services":
            return Open311Document.list("services", item: "service", try await database.open311Services().map { service in
                Open311Object([
                    ("service_code", .text(service.code)), ("service_name", .text(service.name)),
                    ("description", .text(service.description)), ("metadata", .bool(true)), ("type", .text("realtime")),
                    ("keywords", .text(service.keywords)), ("group", .text(service.group)),
                ])
            }).response(format)
        case "requests":
            let zone = try await database.timeZoneIdentifier()
            let query = try Self.query(request, calendar: LocalCalendar(timeZone: TimeZone(identifier: zone) ?? .gmt))
            let viewer = try await viewer(request)
            return Self.records(try await database.open311Requests(query, viewer: viewer)).response(format).noStore
        default: throw Open311Error(.notFound, "there is no resource \(name) here")
        }
    }

    /// `POST requests`: files a request as a case; a retry answers the first one.
    @Sendable func create(_ request: Request, context: GridbookRequestContext) async throws -> Response {
        let (name, format) = try Self.file(context.parameters.require("resource"))
        guard name == "requests" else { throw Open311Error(.notFound, "there is no resource \(name) to post to") }
        let form = try await Open311Form(request, context: context)
        guard let key = try form.single("api_key") ?? Self.apiKey(request) else {
            throw Open311Error(.forbidden, "api_key is missing: a request is filed with a Gridbook token whose owner may file cases")
        }
        guard let caller = try await database.authenticate(token: key) else {
            throw Open311Error(.forbidden, "invalid api_key: unknown, revoked or expired")
        }
        guard caller.may(.handleCases) else {
            throw Open311Error(.forbidden, "this api_key may not file requests: only \(Permission.handleCases.holders) may")
        }
        context.trace.personId = caller.person.id
        var submission = try form.submission()
        if let idempotencyKey = request.headers[.idempotencyKey] {
            let trimmed = idempotencyKey.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw Open311Error(.badRequest, "Idempotency-Key is empty") }
            submission.idempotencyKey = trimmed
        }
        let receipt = try await database.fileOpen311Request(submission, by: caller, apiKeyHash: APIToken.hash(of: key))
        return Open311Document.list("service_requests", item: "request", [
            Open311Object([
                ("service_request_id", .text(receipt.serviceRequestId)), ("service_notice", .text(receipt.serviceNotice)),
                ("account_id", .text(receipt.accountId)),
            ]),
        ]).response(format, status: receipt.created ? .created : .ok).noStore
    }

    /// `GET services/{code}`: a service's definition.
    @Sendable func serviceDefinition(_ request: Request, context: GridbookRequestContext) async throws -> Response {
        let (code, format) = try Self.file(context.parameters.require("file"))
        let definition = try await database.open311ServiceDefinition(code: code)
        return Open311Document.object("service_definition", Open311Object([
            ("service_code", .text(definition.serviceCode)),
            ("attributes", .objects(item: "attribute", definition.attributes.map { attribute in
                Open311Object([
                    ("variable", .bool(true)), ("code", .text(attribute.code)), ("datatype", .text(attribute.datatype.rawValue)),
                    ("required", .bool(attribute.required)), ("datatype_description", .text(attribute.datatypeDescription)),
                    ("order", .number(String(attribute.order))), ("description", .text(attribute.description)),
                    ("values", .objects(item: "value", attribute.values.map { Open311Object([("key", .text($0.key)), ("name", .text($0.name))]) })),
                ])
            })),
        ])).response(format)
    }

    /// `GET requests/{id}`: one request, as a one-element list.
    @Sendable func request(_ request: Request, context: GridbookRequestContext) async throws -> Response {
        let (id, format) = try Self.file(context.parameters.require("file"))
        let viewer = try await viewer(request)
        let records = try await database.open311Requests(Open311Query(ids: [id]), viewer: viewer)
        guard !records.isEmpty else { throw Open311Error(.notFound, "there is no service request \(id)") }
        return Self.records(records).response(format).noStore
    }

    /// `GET tokens/{token}`: the request filed with a token (the client's `Idempotency-Key`).
    @Sendable func token(_ request: Request, context: GridbookRequestContext) async throws -> Response {
        let (token, format) = try Self.file(context.parameters.require("file"))
        guard let id = try await database.open311Request(token: token) else {
            throw Open311Error(.notFound, "there is no service request for token \(token)")
        }
        return Open311Document.list("service_requests", item: "request", [
            Open311Object([("service_request_id", .text(id)), ("token", .text(token))]),
        ]).response(format).noStore
    }

    /// The `api_key` query parameter, else a bearer token (Gridbook's own clients send that);
    /// 400 for `api_key` given twice.
    static func apiKey(_ request: Request) throws -> String? {
        if let key = try queryParameter(request, "api_key") { return key }
        return request.headers[.authorization].flatMap(BearerToken.token(in:))
    }

    /// A query parameter, trimmed, or nil when absent or empty (an empty parameter is an absent
    /// one); 400 when it is given more than once, as a form's field is (a list is one parameter
    /// with commas: `status=open,closed`).
    static func queryParameter(_ request: Request, _ name: String) throws -> String? {
        let values = request.uri.queryParameters[values: Substring(name)]
        guard values.count <= 1 else {
            throw Open311Error(.badRequest, "\(name) is given \(values.count) times: send one, with values separated by commas")
        }
        guard let value = values.first.map(String.init)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// The owner of a read's api_key (``apiKey(_:)``), or nil without one; 403 for a bad one.
    private func viewer(_ request: Request) async throws -> Caller? {
        guard let key = try Self.apiKey(request) else { return nil }
        guard let caller = try await database.authenticate(token: key) else {
            throw Open311Error(.forbidden, "invalid api_key: unknown, revoked or expired")
        }
        return caller
    }

    /// A resource name and its format, the path segment percent-decoded (RFC 3986:
    /// `%6Cand.json` is `land.json`; `+` is itself); 404 for a name without `.xml` or `.json`,
    /// or one whose escapes are not UTF-8.
    static func file(_ segment: String) throws -> (name: String, format: Open311Format) {
        guard let file = segment.removingPercentEncoding else {
            throw Open311Error(.notFound, "there is no resource \(segment) here: its escapes are not percent-encoded UTF-8")
        }
        guard let split = Open311Format.split(file), !split.name.isEmpty else {
            throw Open311Error(.notFound, "there is no resource \(file) here: name one with .xml or .json")
        }
        return split
    }

    /// The filters of `GET requests`; an empty parameter is an absent one, and one given twice
    /// is 400 (``queryParameter(_:_:)``).
    static func query(_ request: Request, calendar: LocalCalendar) throws -> Open311Query {
        func parameter(_ name: String) throws -> String? { try queryParameter(request, name) }
        /// A comma list; `trimming` also comes off each item (spaces, and for ids the `+` a
        /// form-style encoder writes for a space after a comma).
        func list(_ name: String, trimming: CharacterSet = .whitespaces) throws -> [String]? {
            try parameter(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: trimming) }.filter { !$0.isEmpty } }
        }
        func instant(_ name: String, endOfDay: Bool) throws -> Int? {
            guard let text = try parameter(name) else { return nil }
            if let timestamp = Timestamp(text) { return timestamp.epochSeconds }
            // A date alone is its whole day where the county is.
            if let date = LocalDate(text) { return endOfDay ? calendar.startOfDay(date.adding(days: 1)) - 1 : calendar.startOfDay(date) }
            throw Open311Error(.badRequest, "\(name) \(text) is not a W3C date-time (for example 2026-12-01T00:00:00+08:00)")
        }
        if let ids = try list("service_request_id", trimming: CharacterSet.whitespaces.union(CharacterSet(charactersIn: "+"))) {
            guard ids.count <= Open311.maximumRequests else {
                throw Open311Error(.badRequest, "service_request_id names more than \(Open311.maximumRequests) requests")
            }
            return Open311Query(ids: ids)
        }
        var statuses: Set<String>?
        if let values = try list("status") {
            for value in values where value != "open" && value != "closed" {
                throw Open311Error(.badRequest, "status \(value) is not open or closed")
            }
            statuses = Set(values)
        }
        return Open311Query(serviceCodes: try list("service_code"), start: try instant("start_date", endOfDay: false),
                            end: try instant("end_date", endOfDay: true), statuses: statuses)
    }

    /// Requests as `service_requests/request`: the specification's fields in its order; a claim
    /// ticket leaves out all but those following a request by its id needs.
    static func records(_ records: [Open311Record]) -> Open311Document {
        Open311Document.list("service_requests", item: "request", records.map { record in
            guard record.full else {
                return Open311Object([
                    ("service_request_id", .text(record.serviceRequestId)), ("status", .text(record.status)),
                    ("service_code", .text(record.serviceCode)), ("agency_responsible", .text(record.agencyResponsible)),
                    ("service_notice", .text(record.serviceNotice)), ("requested_datetime", .text(record.requestedDatetime)),
                    ("updated_datetime", .text(record.updatedDatetime)), ("expected_datetime", .text(record.expectedDatetime)),
                ])
            }
            return Open311Object([
                ("service_request_id", .text(record.serviceRequestId)), ("status", .text(record.status)),
                ("status_notes", .text(record.statusNotes)), ("service_name", .text(record.serviceName)),
                ("service_code", .text(record.serviceCode)), ("description", .text(record.description)),
                ("agency_responsible", .text(record.agencyResponsible)), ("service_notice", .text(record.serviceNotice)),
                ("requested_datetime", .text(record.requestedDatetime)), ("updated_datetime", .text(record.updatedDatetime)),
                ("expected_datetime", .text(record.expectedDatetime)), ("address", .text(record.address)),
                ("address_id", .text(record.addressId)), ("zipcode", .text(nil)),
                ("lat", .number(record.latitude.map(plainDecimal))), ("long", .number(record.longitude.map(plainDecimal))),
                ("media_url", .text(record.mediaURL)),
            ])
        })
    }

    /// A number as plain decimal digits, as both formats can carry it and any client reads it:
    /// `0.0000001`, never `1e-07`; otherwise Swift's shortest form (`40.5`, `111.0`).
    static func plainDecimal(_ value: Double) -> String {
        let shortest = "\(value)"
        guard let e = shortest.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(shortest[shortest.index(after: e)...])
        else { return shortest }
        var mantissa = shortest[..<e]
        let sign = mantissa.first == "-" ? "-" : ""
        if mantissa.first == "-" { mantissa = mantissa.dropFirst() }
        let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        let digits = mantissa.filter { $0 != "." }
        let position = point + exponent
        if position <= 0 { return sign + "0." + String(repeating: "0", count: -position) + digits }
        if position >= digits.count { return sign + digits + String(repeating: "0", count: position - digits.count) + ".0" }
        return sign + digits.prefix(position) + "." + digits.dropFirst(position)
    }

    /// The discovery document, as FixMyStreet offers it: where the endpoint is and what it speaks.
    static func discovery(_ request: Request) -> Open311Document {
        let scheme = request.headers[.forwardedProto].map { $0.lowercased() == "https" ? "https" : "http" } ?? "http"
        let host = request.head.authority ?? "localhost"
        return Open311Document.object("discovery", Open311Object([
            ("changeset", .text(changeset)), ("contact", .text("县（市、区）社会治理综合服务中心（综治中心）")),
            ("key_service", .text("api_key 由综治中心以 gridbook token issue --person ID 签发，持有人须能受理案件")),
            ("endpoints", .objects(item: "endpoint", [
                Open311Object([
                    ("specification", .text("http://wiki.open311.org/GeoReport_v2")), ("url", .text("\(scheme)://\(host)/open311/v2")),
                    ("changeset", .text(changeset)), ("type", .text("production")),
                    ("formats", .texts(item: "format", ["text/xml", "application/json"])),
                ]),
            ])),
        ]))
    }

    /// When this endpoint's behaviour last changed.
    static let changeset = "2026-12-07T00:00:00Z"
}

extension Response {
    /// The answer, kept by no browser or proxy (requests carry what the parties said).
    var noStore: Response {
        var response = self
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension HTTPField.Name {
    /// A client's key for retrying a post safely.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// The scheme a proxy in front was asked with.
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}

/// Turns every error under `/open311/` into GeoReport v2's error answer in the format the path
/// asks for (XML when it names none): 403 for a bad api_key, 404 for an unknown service, request
/// or path, 400 for anything else the client got wrong, 503 with `Retry-After` for a database
/// that cannot write; never a 5xx for bad input. Other paths pass through untouched.
struct Open311ErrorMiddleware: RouterMiddleware {
    typealias Context = GridbookRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/open311/") else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch {
            let format = Self.format(of: request)
            if let error = error as? Open311Error { return error.response(format) }
            if let error = error as? HTTPError, error.status == .notFound {
                return Open311Error(.notFound, "there is no resource \(request.uri.path) here").response(format)
            }
            let api = ErrorMiddleware.apiError(for: error, context: context)
            let status: HTTPResponse.Status = switch api.status {
            case .conflict, .unprocessableContent: .badRequest
            case .unauthorized: .forbidden
            default: api.status
            }
            return Open311Error(status, api.message, retryAfter: api.retryAfter).response(format)
        }
    }

    /// The format a GeoReport v2 path asks for by its last part's extension (XML when it names none).
    static func format(of request: Request) -> Open311Format {
        let last = String(request.uri.path.split(separator: "/").last ?? "")
        return Open311Format.split(last.removingPercentEncoding ?? last)?.format ?? .xml
    }
}
