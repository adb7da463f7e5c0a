import Foundation
import GRDB

/// A service of Open311 GeoReport v2 (`GET services`): one per dispute or hazard category.
public struct Open311Service: Equatable, Sendable {
    /// The category's code.
    public var code: String
    /// The category's label.
    public var name: String
    public var description: String
    /// Comma-separated words a client can search by.
    public var keywords: String
    /// `dispute` or `hazard`.
    public var group: String
}

/// A service definition (`GET services/{code}`): the attributes a request of it may carry.
public struct Open311ServiceDefinition: Equatable, Sendable {
    public var serviceCode: String
    public var attributes: [Open311Attribute]
}

/// One attribute of a service definition, as GeoReport v2 describes it.
public struct Open311Attribute: Equatable, Sendable {
    /// GeoReport v2's datatypes.
    public enum Datatype: String, Sendable {
        case string, number, datetime, text, singlevaluelist, multivaluelist
    }

    /// One of a list attribute's values.
    public struct Value: Equatable, Sendable {
        public var key: String
        public var name: String
    }

    public var code: String
    public var datatype: Datatype
    public var required: Bool
    public var datatypeDescription: String
    public var order: Int
    public var description: String
    public var values: [Value]
}

/// A service request as a client posts it (`POST requests`), already read from the form.
public struct Open311Submission: Equatable, Sendable {
    public var serviceCode: String
    public var latitude: Double?
    public var longitude: Double?
    public var addressString: String?
    /// A village or grid code.
    public var addressId: String?
    public var description: String?
    public var firstName: String?
    public var lastName: String?
    public var phone: String?
    public var email: String?
    public var deviceId: String?
    public var accountId: String?
    public var mediaURL: String?
    /// `attribute[CODE]` values by code (a multivaluelist's `attribute[CODE][]` gives several).
    public var attributes: [String: [String]]
    /// The client's `Idempotency-Key` header.
    public var idempotencyKey: String?

    /// A request of a service, the rest to be filled in.
    public init(serviceCode: String) {
        self.serviceCode = serviceCode
        attributes = [:]
    }
}

/// What filing a service request answers (`[{service_request_id, service_notice, account_id}]`).
public struct Open311Receipt: Equatable, Sendable {
    public var serviceRequestId: String
    public var serviceNotice: String
    public var accountId: String?
    /// False when the post was a retry of a request already filed: this is the first one's receipt.
    public var created: Bool
}

/// A service request as `GET requests` shows it: a case of the ledger. ``full`` is false for a
/// claim ticket, which carries only what following a request by its id needs.
public struct Open311Record: Equatable, Sendable {
    public var serviceRequestId: String
    /// `open` until the case is closed, then `closed`.
    public var status: String
    public var serviceCode: String
    public var serviceName: String
    /// The assignee, phone numbers and the like masked (``Open311/masked(_:)``).
    public var agencyResponsible: String?
    public var serviceNotice: String
    public var requestedDatetime: String
    public var updatedDatetime: String
    /// The deadline's last second.
    public var expectedDatetime: String
    /// Whether the fields below are the request's (the key's owner may see its unit) or left out.
    public var full: Bool
    /// The latest ledger note meant for the parties.
    public var statusNotes: String?
    public var description: String?
    public var address: String?
    public var addressId: String?
    public var latitude: Double?
    public var longitude: Double?
    public var mediaURL: String?
}

/// What `GET requests` asks for; nil fields are absent.
public struct Open311Query: Equatable, Sendable {
    /// Requests by id: overrides every other filter.
    public var ids: [String]?
    public var serviceCodes: [String]?
    /// Seconds since 1970: requests accepted at or after.
    public var start: Int?
    /// Seconds since 1970: requests accepted at or before.
    public var end: Int?
    /// `open`, `closed` or both; nil for both.
    public var statuses: Set<String>?

    /// A query; with no filters, the last 90 days.
    public init(ids: [String]? = nil, serviceCodes: [String]? = nil, start: Int? = nil, end: Int? = nil, statuses: Set<String>? = nil) {
        self.ids = ids
        self.serviceCodes = serviceCodes
        self.start = start
        self.end = end
        self.statuses = statuses
    }
}

/// Open311's rules, written once: the window and size of a list, the limits of a request's
/// fields, what a status means.
public enum Open311 {
    /// The widest window `GET requests` answers, and its default (the last 90 days).
    public static let maximumWindowDays = 90
    /// The most requests one `GET requests` answers.
    public static let maximumRequests = 1000
    /// The longest description a request may carry, in characters.
    public static let maximumDescription = 4000
    /// Posts of the same request (``fingerprint(_:)``: every field but the keys) with the same
    /// api_key within this many seconds are one request.
    public static let retryWindowSeconds = 600
    /// The ledger actions whose notes are meant for the parties (`status_notes`).
    static let partyActions = ["resolve", "fail", "feedback", "close", "reopen"]

    /// The Open311 status of a case: open until it is closed.
    static func status(_ status: CaseStatus) -> String { status == .closed ? "closed" : "open" }

    /// The notice a request's client is given: where the case stands and its deadline.
    static func notice(id: String, status: CaseStatus, deadline: LocalDate) -> String {
        let words = switch status {
        case .accepted: "已受理，待派单"
        case .assigned: "已派单"
        case .inProgress: "办理中"
        case .resolved: "已化解，待回访"
        case .unresolved: "未能化解，待回访"
        case .closed: "已结案"
        }
        return "案件 \(id)：\(words)；办理期限 \(deadline)"
    }

    /// Checks a submission's fields (400 naming the field); the location and the service are
    /// checked against the database when it is filed.
    static func check(_ submission: Open311Submission) throws {
        func text(_ value: String?, _ field: String, max: Int) throws {
            guard let value else { return }
            guard value.count <= max else { throw GridbookError.invalid(field: field, problem: "is longer than \(max) characters") }
            if let scalar = value.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" || $0.value == 0x7F }) {
                throw GridbookError.invalid(field: field, problem: "holds a control character (U+\(String(format: "%04X", scalar.value)))")
            }
        }
        try text(submission.serviceCode, "service_code", max: 100)
        try text(submission.description, "description", max: maximumDescription)
        try text(submission.addressString, "address_string", max: 500)
        try text(submission.addressId, "address_id", max: 100)
        try text(submission.firstName, "first_name", max: 100)
        try text(submission.lastName, "last_name", max: 100)
        try text(submission.phone, "phone", max: 40)
        try text(submission.email, "email", max: 254)
        try text(submission.deviceId, "device_id", max: 200)
        try text(submission.accountId, "account_id", max: 200)
        try text(submission.mediaURL, "media_url", max: 2000)
        try text(submission.idempotencyKey, "Idempotency-Key", max: 200)
        for (code, values) in submission.attributes {
            for value in values { try text(value, "attribute[\(code)]", max: 2000) }
        }
        switch (submission.latitude, submission.longitude) {
        case (nil, nil): break
        case (let lat?, let long?):
            guard (-90...90).contains(lat) else { throw GridbookError.invalid(field: "lat", problem: "\(lat) is not a latitude (-90 to 90)") }
            guard (-180...180).contains(long) else { throw GridbookError.invalid(field: "long", problem: "\(long) is not a longitude (-180 to 180)") }
        case (nil, _): throw GridbookError.invalid(field: "lat", problem: "is missing: a location by coordinates needs lat and long")
        case (_, nil): throw GridbookError.invalid(field: "long", problem: "is missing: a location by coordinates needs lat and long")
        }
        guard submission.latitude != nil || submission.addressString != nil || submission.addressId != nil else {
            throw GridbookError.invalid(field: "location", problem: "is missing: send lat and long, address_string or address_id")
        }
        if let email = submission.email {
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(where: \.isWhitespace) else {
                throw GridbookError.invalid(field: "email", problem: "\(RecordCode.quoted(email)) is not an email address")
            }
        }
        if let url = submission.mediaURL {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                throw GridbookError.invalid(field: "media_url", problem: "is not an http or https address")
            }
        }
    }

    /// The fingerprint of a request for the retry rule: everything the client sent but the
    /// api_key and Idempotency-Key (a true retry sends it all again, the same): the service,
    /// location and description, every attribute (`village` decides where the case is filed,
    /// `parties` who it is about) and the reporter's fields. Each part is written with its
    /// length first, so no two requests share one.
    static func fingerprint(_ submission: Open311Submission) -> String {
        var parts = [submission.serviceCode, submission.latitude.map { "\($0)" } ?? "", submission.longitude.map { "\($0)" } ?? "",
                     submission.addressString ?? "", submission.addressId ?? "", submission.description ?? "",
                     submission.firstName ?? "", submission.lastName ?? "", submission.phone ?? "", submission.email ?? "",
                     submission.deviceId ?? "", submission.accountId ?? "", submission.mediaURL ?? ""]
        for (code, values) in submission.attributes.sorted(by: { $0.key < $1.key }) {
            parts += [code, String(values.count)] + values
        }
        return SHA256Text.hex(parts.map { "\($0.utf8.count):\($0)" }.joined())
    }

    /// Free text as Open311 answers show it (an assignee, a note, a description: staff write
    /// names and phone numbers into them): a run of 7 or more digits masked as a phone number
    /// (``PersonalData/maskPhone(_:)``), or as an identity card number when it is one's length
    /// (15, or 18 with a final X), and an email address as ``PersonalData/maskEmail(_:)``.
    /// Full-width digits (１３８…, as people type them) count as digits, and a phone number written
    /// in groups (`138-1234-5678`, `138 1234 5678`, `0471-1234567`) as one number.
    public static func masked(_ text: String) -> String {
        let text = SpreadsheetHabits.halfWidth(text, digitsOnly: true)
        guard text.contains(where: { $0.isASCII && ($0.isNumber || $0 == "@") }) else { return text }
        let emails = text.replacing(/[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+/) { match in
            PersonalData.maskEmail(String(match.output.0))
        }
        let grouped = emails.replacing(/1[3-9][0-9][ \-][0-9]{4}[ \-][0-9]{4}|0[0-9]{2,3}[ \-][0-9]{7,8}/) { match in
            PersonalData.maskPhone(String(match.output.filter(\.isNumber)))
        }
        return grouped.replacing(/[0-9]{7,}[Xx]?/) { match in
            let run = String(match.output)
            return run.count == 15 || run.count == 18 ? PersonalData.maskIDNumber(run) : PersonalData.maskPhone(run)
        }
    }

    /// A case's title from a request: the service's name and the start of the description, with
    /// its phone and ID numbers masked (``masked(_:)``): the title is shown wherever the case is
    /// (lists, the feed, webhooks), and the description stays whole beside the case.
    static func title(service: String, description: String?) -> String {
        let line = masked((description ?? "").split(whereSeparator: \.isNewline).first.map(String.init)?
            .trimmingCharacters(in: .whitespaces) ?? "")
        guard !line.isEmpty else { return "\(service)（Open311）" }
        return "\(service)：" + (line.count > 40 ? String(line.prefix(40)) + "…" : line)
    }

    /// A case's level from the unit it arises at: a township's or the county's own unit is
    /// handled at that level, anything under a township at the village.
    static func level(of unit: Unit) -> CaseLevel {
        switch unit.level {
        case .county: .county
        case .township: .township
        case .village, .grid, .block: .village
        }
    }
}

/// A service request's row beside its case.
struct Open311Row: Codable, Equatable, Sendable {
    var caseId: String
    var apiKeyHash: String
    var idempotencyKey: String?
    var fingerprint: String
    var serviceCode: String
    var description: String
    var lat: Double?
    var long: Double?
    var addressString: String
    var addressId: String?
    var firstName: String?
    var lastName: String?
    var phone: String?
    var email: String?
    var deviceId: String?
    var accountId: String?
    var mediaUrl: String?
    /// `attribute[CODE]` values as a JSON object of lists.
    var attributes: String
    var requestedAt: String
}

extension Open311Row: GridbookRecord, PersistableRecord {
    static let databaseTableName = "open311_requests"

    /// The table's columns.
    enum Columns {
        static let caseId = Column("case_id")
        static let apiKeyHash = Column("api_key_hash")
        static let idempotencyKey = Column("idempotency_key")
        static let fingerprint = Column("fingerprint")
        static let requestedAt = Column("requested_at")
    }
}

/// Who reported a case filed through Open311, as the case shows it: the phone and email masked.
public struct CaseReporter: Codable, Equatable, Sendable {
    /// Family name first, as names are written here.
    public var name: String?
    public var phone: String?
    public var email: String?
    public var accountId: String?
    public var deviceId: String?
    public var mediaUrl: String?

    /// The reporter of a request, personal data masked unless `reveal`.
    init?(_ row: Open311Row, reveal: Bool) {
        let name = [row.lastName, row.firstName].compactMap { $0 }.joined()
        guard !name.isEmpty || row.phone != nil || row.email != nil || row.accountId != nil || row.deviceId != nil || row.mediaUrl != nil
        else { return nil }
        self.name = name.isEmpty ? nil : name
        phone = reveal ? row.phone : row.phone.map(PersonalData.maskPhone)
        email = reveal ? row.email : row.email.map(PersonalData.maskEmail)
        accountId = row.accountId
        deviceId = row.deviceId
        mediaUrl = row.mediaUrl
    }
}
