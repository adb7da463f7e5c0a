import Foundation
import GRDB

extension AppDatabase {
    /// The services: one per dispute or hazard category, disputes first.
    public func open311Services() async throws -> [Open311Service] {
        try await issueCategories().map { category in
            Open311Service(
                code: category.code, name: category.label,
                description: category.kind == .dispute
                    ? "\(category.label)：矛盾纠纷，登记为案件，由村（社区）、乡镇或县调处"
                    : "\(category.label)：风险隐患，登记为案件，由网格、乡镇或县处置",
                keywords: [category.code, category.kind.rawValue, category.label].joined(separator: ", "),
                group: category.kind.rawValue)
        }
    }

    /// A service's definition: where it happened (the county's villages) and who is involved.
    /// 404 for an unknown service.
    public func open311ServiceDefinition(code: String) async throws -> Open311ServiceDefinition {
        try await read { db in
            guard try IssueCategory.exists(db, key: code) else { throw GridbookError.notFound("service \(code)") }
            return Open311ServiceDefinition(serviceCode: code, attributes: [
                Open311Attribute(code: "village", datatype: .singlevaluelist, required: false,
                                 datatypeDescription: "村（社区）代码；不填时以 address_id 或提交者所在单位为准", order: 1,
                                 description: "事发村（社区）", values: try Open311Requests.villages(db)),
                Open311Attribute(code: "parties", datatype: .text, required: false,
                                 datatypeDescription: "当事人姓名与关系，自由填写", order: 2,
                                 description: "当事人", values: []),
            ])
        }
    }

    /// Files a service request as an accepted case with source `open311`, in one transaction.
    /// A retry (the same `Idempotency-Key`, or the same api_key posting the same request,
    /// every field alike (``Open311/fingerprint(_:)``), within ``Open311/retryWindowSeconds``)
    /// answers the first request's receipt and files nothing; the same `Idempotency-Key` with
    /// another request is 400. `apiKeyHash` is the key's hash, as tokens store it.
    public func fileOpen311Request(_ submission: Open311Submission, by caller: Caller, apiKeyHash: String,
                                   now: Date? = nil) async throws -> Open311Receipt {
        let now = now ?? clock.now()
        try Open311.check(submission)
        let fingerprint = Open311.fingerprint(submission)
        return try await write { db in
            if let key = submission.idempotencyKey,
               let first = try Open311Row.filter(Open311Row.Columns.idempotencyKey == key).fetchOne(db) {
                guard first.apiKeyHash == apiKeyHash, first.fingerprint == fingerprint else {
                    throw GridbookError.invalid(field: "Idempotency-Key", problem: "was sent before with another request")
                }
                return try Open311Requests.receipt(db, first, created: false)
            }
            let since = Timestamp(epochSeconds: Int(now.timeIntervalSince1970) - Open311.retryWindowSeconds).text
            if let first = try Open311Row
                .filter(Open311Row.Columns.apiKeyHash == apiKeyHash && Open311Row.Columns.fingerprint == fingerprint
                        && Open311Row.Columns.requestedAt >= since)
                .order(Open311Row.Columns.requestedAt).fetchOne(db) {
                return try Open311Requests.receipt(db, first, created: false)
            }
            guard let category = try IssueCategory.fetchOne(db, key: submission.serviceCode) else {
                throw GridbookError.notFound("service \(submission.serviceCode)")
            }
            let unit = try Open311Requests.unit(db, submission, caller)
            guard caller.sees(chain: try Hierarchy.chain(db, of: unit.code)) else {
                throw GridbookError.notAllowed("this is outside your units")
            }
            let actor = Actor.person(caller.person.id)
            try Cases.requireCaseRole(db, actor, now: now)
            let dispute = try Cases.insert(db, NewCase(
                title: Open311.title(service: category.label, description: submission.description), category: category.code,
                unitCode: unit.code, parties: submission.attributes["parties"]?.first ?? "", source: .open311,
                level: Open311.level(of: unit)
            ), riskId: nil, by: actor, now: now)
            let attributes = String(decoding: try JSONOutput.bytes(submission.attributes, pretty: false), as: UTF8.self)
            let row = Open311Row(
                caseId: dispute.id, apiKeyHash: apiKeyHash, idempotencyKey: submission.idempotencyKey, fingerprint: fingerprint,
                serviceCode: category.code, description: submission.description ?? "", lat: submission.latitude,
                long: submission.longitude, addressString: submission.addressString ?? "", addressId: submission.addressId,
                firstName: submission.firstName, lastName: submission.lastName, phone: submission.phone, email: submission.email,
                deviceId: submission.deviceId, accountId: submission.accountId, mediaUrl: submission.mediaURL,
                attributes: attributes, requestedAt: dispute.acceptedAt)
            try row.insert(db)
            return try Open311Requests.receipt(db, row, created: true)
        }
    }

    /// The service requests a query asks for, newest first, at most ``Open311/maximumRequests``:
    /// only cases filed through Open311 (source `open311`, with their request beside them; a
    /// walk-in case or a promoted risk is no service request), each in full when `viewer` (the
    /// api_key's owner) may see its unit, else as a claim ticket. Free text (the assignee,
    /// status notes, description, address) is shown with phone numbers and the like masked.
    /// 400 for a window wider than ``Open311/maximumWindowDays`` or one that ends before it starts.
    public func open311Requests(_ query: Open311Query, viewer: Caller?, now: Date? = nil) async throws -> [Open311Record] {
        let now = Int((now ?? clock.now()).timeIntervalSince1970)
        var conditions: [SQL] = [
            "c.source = \(CaseSource.open311.rawValue) AND EXISTS (SELECT 1 FROM open311_requests r WHERE r.case_id = c.id)",
        ]
        if let ids = query.ids {
            conditions.append("c.id IN \(ids)")
        } else {
            let window = Open311.maximumWindowDays * 86_400
            let end = query.end ?? query.start.map { $0 + window } ?? now
            let start = query.start ?? end - window
            guard end >= start else { throw GridbookError.invalid(field: "end_date", problem: "is before start_date") }
            // Dates 90 days apart are a window of 90 days and the whole of the last day (a date as
            // end_date runs to its last second): `start_date=2026-09-09&end_date=2026-12-08`; an
            // hour more where the county's clocks went back in between.
            guard end - start < window + 86_400 + 3_600 else {
                throw GridbookError.invalid(field: "end_date", problem: "is more than \(Open311.maximumWindowDays) days after start_date")
            }
            conditions.append("c.accepted_at >= \(Timestamp(epochSeconds: start).text) AND c.accepted_at <= \(Timestamp(epochSeconds: end).text)")
            if let codes = query.serviceCodes { conditions.append("c.category IN \(codes)") }
            if let statuses = query.statuses, statuses.count == 1 {
                conditions.append(statuses.contains("closed") ? "c.status = 'closed'" : "c.status <> 'closed'")
            }
        }
        let filter = conditions.joined(separator: " AND ")
        return try await read { db in
            let request: SQLRequest<Row> = """
                SELECT c.*, ic.label AS service_name,
                       (SELECT MAX(l.at) FROM case_ledger l WHERE l.case_id = c.id) AS updated_at,
                       (SELECT l.note FROM case_ledger l WHERE l.case_id = c.id AND l.action IN \(Open311.partyActions) AND l.note <> ''
                        ORDER BY l.id DESC LIMIT 1) AS status_notes
                FROM cases c JOIN issue_categories ic ON ic.code = c.category
                WHERE \(filter)
                ORDER BY c.accepted_at DESC, c.id DESC
                LIMIT \(Open311.maximumRequests)
                """
            let rows = try request.fetchAll(db)
            let cases = try rows.map { (try DisputeCase(row: $0), $0) }
            let requests = Dictionary(uniqueKeysWithValues: try Open311Row.fetchAll(db, keys: cases.map(\.0.id)).map { ($0.caseId, $0) })
            var places = Open311Requests.Places(viewer: viewer)
            let calendar = try Settings.calendar(db)
            return try cases.map { dispute, row in
                let request = requests[dispute.id]
                let full = try places.visible(db, dispute.unitCode)
                func w3c(_ text: String) -> String { calendar.w3c(epochSeconds: Timestamp(text)?.epochSeconds ?? 0) }
                return Open311Record(
                    serviceRequestId: dispute.id, status: Open311.status(dispute.status), serviceCode: dispute.category,
                    serviceName: row["service_name"], agencyResponsible: dispute.assignee.map(Open311.masked),
                    serviceNotice: Open311.notice(id: dispute.id, status: dispute.status, deadline: dispute.deadline),
                    requestedDatetime: w3c(dispute.acceptedAt), updatedDatetime: w3c(row["updated_at"] ?? dispute.acceptedAt),
                    expectedDatetime: calendar.w3c(epochSeconds: calendar.startOfDay(dispute.deadline.adding(days: 1)) - 1),
                    full: full,
                    statusNotes: full ? (row["status_notes"] as String?).map(Open311.masked) : nil,
                    description: full ? Open311.masked(request.map(\.description) ?? dispute.title) : nil,
                    address: full ? try request.flatMap { $0.addressString.isEmpty ? nil : Open311.masked($0.addressString) }
                        ?? places.address(db, dispute.unitCode) : nil,
                    addressId: full ? (request?.addressId ?? dispute.unitCode) : nil,
                    latitude: full ? request?.lat : nil, longitude: full ? request?.long : nil,
                    mediaURL: full ? request?.mediaUrl : nil)
            }
        }
    }

    /// The service request filed with a token (the client's `Idempotency-Key`), or nil.
    public func open311Request(token: String) async throws -> String? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT case_id FROM open311_requests WHERE idempotency_key = ?", arguments: [token])
        }
    }

    /// The reporter of a case filed through Open311, phone and email masked unless `reveal`; nil
    /// for other cases.
    func caseReporter(_ db: Database, caseId: String, reveal: Bool) throws -> CaseReporter? {
        try Open311Row.fetchOne(db, key: caseId).flatMap { CaseReporter($0, reveal: reveal) }
    }
}

/// The parts of filing and reading requests that need the database.
enum Open311Requests {
    /// The county's villages as a list attribute's values: code, and township and village names.
    static func villages(_ db: Database) throws -> [Open311Attribute.Value] {
        try Row.fetchAll(db, sql: """
            SELECT v.code, t.name AS township, v.name FROM units v LEFT JOIN units t ON t.code = v.parent_code
            WHERE v.level = 'village' ORDER BY v.code
            """).map { row in
            Open311Attribute.Value(key: row["code"], name: [row["township"], row["name"]].compactMap { $0 as String? }.joined(separator: " "))
        }
    }

    /// The unit a request arises at: its `address_id` (a village or grid), else its `village`
    /// attribute, else the unit of the key's owner (the nearest unit over all of theirs). 400
    /// for an unknown code or attribute.
    static func unit(_ db: Database, _ submission: Open311Submission, _ caller: Caller) throws -> Unit {
        for (code, values) in submission.attributes.sorted(by: { $0.key < $1.key }) {
            guard code == "village" || code == "parties" else {
                throw GridbookError.invalid(field: "attribute[\(code)]", problem: "is not an attribute of service \(submission.serviceCode)")
            }
            guard values.count == 1 else { throw GridbookError.invalid(field: "attribute[\(code)]", problem: "takes one value") }
        }
        var village: Unit?
        if let code = submission.attributes["village"]?.first, !code.isEmpty {
            guard let unit = try Hierarchy.unit(db, code: code), unit.level == .village else {
                throw GridbookError.invalid(field: "attribute[village]", problem: "\(RecordCode.quoted(code)) is not one of the county's villages")
            }
            village = unit
        }
        if let code = submission.addressId {
            guard let unit = try Hierarchy.unit(db, code: code), unit.level == .village || unit.level == .grid else {
                throw GridbookError.invalid(field: "address_id", problem: "\(RecordCode.quoted(code)) is not a village or grid code")
            }
            return unit
        }
        if let village { return village }
        let chains = try caller.scopeUnits.map { try Hierarchy.chain(db, of: $0) }
        let common = chains.first?.first { code in chains.allSatisfy { $0.contains(code) } }
        guard let code = common ?? chains.first?.last, let unit = try Hierarchy.unit(db, code: code) else {
            throw GridbookError.notAllowed("\(caller.person.id) has no unit to file requests at")
        }
        return unit
    }

    /// A request's receipt, with where its case stands now.
    static func receipt(_ db: Database, _ row: Open311Row, created: Bool) throws -> Open311Receipt {
        guard let dispute = try DisputeCase.fetchOne(db, key: row.caseId) else { throw GridbookError.notFound("case \(row.caseId)") }
        return Open311Receipt(serviceRequestId: dispute.id, serviceNotice: Open311.notice(id: dispute.id, status: dispute.status, deadline: dispute.deadline),
                              accountId: row.accountId, created: created)
    }

    /// Units as a list of requests meets them: whether the viewer may see each, and its address
    /// in words, each looked up once.
    struct Places {
        let viewer: Caller?
        private var chains: [String: [String]] = [:]
        private var names: [String: String] = [:]

        init(viewer: Caller?) { self.viewer = viewer }

        /// The unit's code and its ancestors', from the unit up.
        private mutating func chain(_ db: Database, _ code: String) throws -> [String] {
            if let known = chains[code] { return known }
            let chain = try Hierarchy.chain(db, of: code)
            chains[code] = chain
            return chain
        }

        /// Whether the viewer may see requests arising at the unit.
        mutating func visible(_ db: Database, _ code: String) throws -> Bool {
            guard let viewer else { return false }
            return viewer.sees(chain: try chain(db, code))
        }

        /// The unit in words, from its township down: `城关镇 东村 东村第一网格`.
        mutating func address(_ db: Database, _ code: String) throws -> String {
            var words: [String] = []
            for unit in try chain(db, code).reversed().dropFirst() {
                if names[unit] == nil { names[unit] = try Hierarchy.unit(db, code: unit)?.name ?? unit }
                words.append(names[unit] ?? unit)
            }
            return words.isEmpty ? (try Hierarchy.unit(db, code: code)?.name ?? code) : words.joined(separator: " ")
        }
    }
}
