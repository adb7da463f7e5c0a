import Foundation
import GridbookAPI
import GridbookCore
import Hummingbird

/// The desk (SPEC section 7): township and county staff's pages, rendered on the server from the
/// same core functions the API answers with, under the same scope and masking. Its buttons write
/// through the JSON API (`/static/desk.js`), so no rule is written twice.
struct DeskController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("", use: home)
        group.get("units/:code", use: unit)
        group.get("households/:code", use: household)
        group.get("risks", use: risks)
        group.get("risks/:id", use: risk)
        group.get("cases", use: cases)
        group.get("cases/:id", use: dispute)
        group.get("reports/cases", use: caseReport)
        group.get("digest", use: digest)
        group.get("codes", use: codes)
    }

    /// The unit the caller's pages open on: their first unit (the county for a county admin).
    func homeUnit(_ caller: Caller) async throws -> String {
        if let first = caller.scopeUnits.first { return first }
        return try await database.unit(orCounty: nil).code
    }

    /// Stored instants (UTC) as local times, and category codes as their names.
    struct Reading {
        var calendar: LocalCalendar
        var categories: [String: String]

        mutating func time(_ text: String) -> String {
            Timestamp(text).map { calendar.localTime($0) } ?? text
        }

        func category(_ code: String) -> String { categories[code] ?? code }
    }

    func reading() async throws -> Reading {
        let zone = TimeZone(identifier: try await database.timeZoneIdentifier()) ?? TimeZone(secondsFromGMT: 8 * 3600) ?? .current
        let categories = try await database.issueCategories()
        return Reading(calendar: LocalCalendar(timeZone: zone),
                       categories: Dictionary(categories.map { ($0.code, $0.label) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The `unit` asked for, else the caller's own.
    func unitQuery(_ request: Request, _ context: AuthenticatedContext) async throws -> String {
        if let unit = request.query("unit") { return unit }
        return try await homeUnit(context.caller)
    }

    /// `/desk/`: the coverage of the caller's own unit.
    @Sendable func home(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        Response.redirect(to: "/desk/units/" + (try await homeUnit(context.caller)), type: .found)
    }

    /// A unit's coverage down to its grids (a grid: its households), overdue households, the grid
    /// member on duty in each grid, and the pairing gaps under it.
    @Sendable func unit(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let code = try await context.requireScope(try context.parameters.require("code"))
        let asOf = try request.dateQuery("as_of")
        let detail = try await database.unitDetail(code: code)
        let members = try await gridMembers(under: code)
        var values: [String: Any] = [
            "unit": ["code": code, "name": detail.unit.name, "level": Labels.level[detail.unit.level.rawValue] ?? ""],
            "parents": crumbs(detail.parents.filter { $0.code != code }.reversed(), scope: context.scope),
        ]
        if detail.unit.level == .grid {
            let page = try await database.households(under: code, on: asOf, page: try PageRequest(limit: 1000, after: request.query("after")))
            values["asOf"] = page.items.first?.schedule?.on.description ?? ""
            values["members"] = members[code]?.joined(separator: "、") ?? ""
            values["households"] = page.items.map { household -> [String: Any] in
                let schedule = household.schedule
                return [
                    "code": household.code, "head": household.headName, "address": household.address,
                    "lastMet": schedule?.lastMet?.description ?? "从未", "dueOn": schedule?.dueOn.description ?? "",
                    "overdueDays": schedule?.overdueDays ?? 0, "overdue": (schedule?.overdueDays ?? 0) > 0,
                    "covered": schedule?.covered ?? false,
                ]
            }
            values["hasHouseholds"] = !page.items.isEmpty
            values["next"] = page.next.map { "/desk/units/\(code)?after=\($0)" } ?? ""
        } else {
            let tree = try await database.coverageTree(unitCode: code, asOf: asOf)
            values["asOf"] = tree.asOf.description
            values["hasRows"] = !tree.nodes.isEmpty
            // The overdue households themselves, longest overdue first, with who is responsible.
            let names = Dictionary(tree.nodes.map { ($0.unit.code, $0.unit.name) }, uniquingKeysWith: { first, _ in first })
            let overdue = try await database.dueList(unitCode: code, on: tree.asOf, horizon: 0, page: PageRequest(limit: 200, after: nil))
            values["overdueHouseholds"] = overdue.items.map { item -> [String: Any] in
                ["code": item.householdCode, "grid": names[item.gridCode] ?? item.gridCode, "gridCode": item.gridCode,
                 "members": members[item.gridCode]?.joined(separator: "、") ?? "（无）", "dueOn": item.dueOn.description,
                 "overdueDays": item.overdueDays, "lastMet": item.lastMet?.description ?? "从未"]
            }
            values["moreOverdue"] = overdue.next != nil
            values["rows"] = tree.nodes.map { node -> [String: Any] in
                let counts = node.counts
                return [
                    "code": node.unit.code, "name": node.unit.name, "depth": min(node.depth, 4), "level": node.unit.level.rawValue,
                    "levelLabel": Labels.level[node.unit.level.rawValue] ?? "", "households": counts.households,
                    "covered": counts.covered, "coverage": counts.coverage.map { String(format: "%.1f%%", $0) } ?? "–",
                    "percent": Int((counts.coverage ?? 0).rounded()), "band": CoverageMap.band(counts.coverage),
                    "overdue": counts.overdue, "late": counts.overdue > 0, "neverVisited": counts.neverVisited,
                    "members": node.unit.level == .grid ? (members[node.unit.code]?.joined(separator: "、") ?? "（无）") : "",
                ]
            }
        }
        let pairing = try await database.pairingReport(unitCode: code)
        let gaps: [(String, [UnitRef])] = [
            ("无网格员的网格", pairing.gridsWithoutGridMember), ("无民警的网格", pairing.gridsWithoutPolice),
            ("无党小组的网格", pairing.gridsWithoutPartyGroup), ("无辅警的村", pairing.villagesWithoutAuxiliaryPolice),
            ("无片长的片区", pairing.blocksWithoutHead),
        ]
        values["gaps"] = gaps.filter { !$0.1.isEmpty }.map { ["label": $0.0, "count": $0.1.count, "units": $0.1.map { ["code": $0.code, "name": $0.name] }] }
        return try Pages.render("coverage", title: detail.unit.name + " 走访覆盖", caller: context.caller, values)
    }

    /// The units above, outermost first; those the caller may open (the scope rule) are links.
    func crumbs(_ parents: [UnitSummary], scope: Scope) -> [[String: Any]] {
        parents.indices.map { index in
            ["code": parents[index].code, "name": parents[index].name, "link": scope.allows(chain: parents[...index].map(\.code))]
        }
    }

    /// Grid members on duty today by grid, at or under a unit.
    func gridMembers(under code: String) async throws -> [String: [String]] {
        var members: [String: [String]] = [:]
        for person in try await database.people(under: code) {
            for duty in person.duties where duty.active && duty.role == .gridMember {
                members[duty.unitCode, default: []].append(person.name)
            }
        }
        return members
    }

    /// One household: its schedule, recent visits and risks. 403 outside the caller's units.
    @Sendable func household(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let code = try context.parameters.require("code")
        try RecordCode.check(code, field: "code")
        try await context.requireScope(try await database.scopeUnit(ofHousehold: code))
        let detail = try await database.household(code: code)
        let household = detail.household
        let risks = try await database.risks(RiskFilter(householdCode: code), page: PageRequest(limit: 50, after: nil)).items
        let schedule = household.schedule
        var reading = try await reading()
        let riskRows = risks.map { riskRow($0, &reading) }
        return try Pages.render("household", title: "住户 " + code, caller: context.caller, [
            "household": [
                "code": household.code, "head": household.headName, "address": household.address, "phone": household.phone ?? "",
                "members": household.members, "gridCode": household.gridCode, "intervalDays": schedule?.intervalDays ?? 0,
                "lastMet": schedule?.lastMet?.description ?? "从未", "dueOn": schedule?.dueOn.description ?? "",
                "overdueDays": schedule?.overdueDays ?? 0, "overdue": (schedule?.overdueDays ?? 0) > 0,
            ] as [String: Any],
            "visits": detail.recentVisits.map {
                ["at": String($0.visitedAt.prefix(16)).replacingOccurrences(of: "T", with: " "), "outcome": Labels.outcome[$0.outcome.rawValue] ?? "", "method": Labels.method[$0.method.rawValue] ?? "",
                 "visitor": $0.visitorId, "note": $0.note]
            },
            "risks": riskRows,
        ])
    }

    /// A risk as a row of a list.
    func riskRow(_ risk: Risk, _ reading: inout Reading) -> [String: Any] {
        ["id": risk.id, "title": risk.title, "category": reading.category(risk.category), "level": risk.level.rawValue,
         "levelLabel": Labels.riskLevel[risk.level.rawValue] ?? "", "status": Labels.riskStatus[risk.status.rawValue] ?? "",
         "reviewDue": risk.reviewDue.description, "unit": risk.unitCode, "reportedAt": reading.time(risk.reportedAt)]
    }

    /// The risk register under a unit, most urgent first, with filters.
    @Sendable func risks(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let unit = try await context.requireScope(try await unitQuery(request, context))
        let status = try request.choiceQuery("status", RiskStatus.self)
        let level = try request.choiceQuery("level", RiskLevel.self)
        let category = request.query("category")
        let filter = RiskFilter(unitCode: unit, status: status, level: level, category: category,
                                reviewOverdue: try request.flagQuery("review_overdue"))
        let page = try await database.risks(filter, page: Paging.page(request))
        let categories = try await database.issueCategories()
        var reading = try await reading()
        let rows = page.items.map { riskRow($0, &reading) }
        var query = URLComponents()
        query.queryItems = [("unit", unit), ("status", status?.rawValue), ("level", level?.rawValue), ("category", category)]
            .compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        return try Pages.render("risks", title: "风险台账", caller: context.caller, [
            "unit": unit,
            "statuses": Labels.options(Labels.riskStatus, RiskStatus.allCases.map(\.rawValue), selected: status?.rawValue),
            "levels": Labels.options(Labels.riskLevel, RiskLevel.allCases.map(\.rawValue), selected: level?.rawValue),
            "categories": categories.map { ["value": $0.code, "label": $0.label, "selected": $0.code == category] },
            "risks": rows,
            "next": page.next.map { "/desk/risks?\(query.percentEncodedQuery ?? "")&after=\($0)" } ?? "",
        ])
    }

    /// One risk with its follow-ups, and the button that promotes it to a case.
    @Sendable func risk(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("id")
        try RecordCode.check(id, field: "id")
        let detail = try await database.risk(id: id)
        try await context.requireScope(try await database.scopeUnit(of: detail.risk))
        let risk = detail.risk
        var reading = try await reading()
        var values = riskRow(risk, &reading)
        values["description"] = risk.description
        values["household"] = risk.householdCode ?? ""
        values["caseId"] = risk.caseId ?? ""
        values["mayPromote"] = context.caller.may(.handleCases) && risk.caseId == nil
        values["followUps"] = detail.followUps.map { ["at": reading.time($0.at), "person": $0.personId, "note": $0.note] }
        return try Pages.render("risk", title: "风险 " + risk.id, caller: context.caller, ["risk": values])
    }

    /// A case as a row of a list.
    func caseRow(_ dispute: DisputeCase, today: LocalDate) -> [String: Any] {
        ["id": dispute.id, "title": dispute.title, "status": Labels.caseStatus[dispute.status.rawValue] ?? "",
         "level": Labels.caseLevel[dispute.level.rawValue] ?? "", "deadline": dispute.deadline.description,
         "overdue": dispute.isOverdue(on: today), "unit": dispute.unitCode, "assignee": dispute.assignee ?? ""]
    }

    /// The case ledger under a unit: the overdue cases first, then every case by id.
    @Sendable func cases(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let unit = try await context.requireScope(try await unitQuery(request, context))
        let status = try request.choiceQuery("status", CaseStatus.self)
        let today = try await database.today()
        let overdue = try await database.cases(under: unit, status: status, overdueOn: today, page: PageRequest(limit: 200, after: nil))
        let page = try await database.cases(under: unit, status: status, page: Paging.page(request))
        let overdueIds = Set(overdue.items.map(\.id))
        return try Pages.render("cases", title: "案件台账", caller: context.caller, [
            "unit": unit,
            "statuses": Labels.options(Labels.caseStatus, CaseStatus.allCases.map(\.rawValue), selected: status?.rawValue),
            "overdue": overdue.items.map { caseRow($0, today: today) },
            "cases": page.items.filter { !overdueIds.contains($0.id) }.map { caseRow($0, today: today) },
            "next": page.next.map { "/desk/cases?unit=\(unit)\(status.map { "&status=\($0.rawValue)" } ?? "")&after=\($0)" } ?? "",
        ])
    }

    /// One case with its whole ledger and a form for each action its status allows next.
    @Sendable func dispute(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("id")
        try RecordCode.check(id, field: "id")
        let detail = try await database.caseDetail(id: id)
        try await context.requireScope(detail.dispute.unitCode)
        let today = try await database.today()
        var values = caseRow(detail.dispute, today: today)
        values["statusCode"] = detail.dispute.status.rawValue
        var reading = try await reading()
        values["category"] = reading.category(detail.dispute.category)
        values["parties"] = detail.dispute.parties
        values["track"] = Labels.track[detail.dispute.track.rawValue] ?? ""
        values["acceptedAt"] = reading.time(detail.dispute.acceptedAt)
        values["riskId"] = detail.dispute.riskId ?? ""
        // A case from Open311 shows who reported it, phone and email masked as everywhere.
        if let reporter = detail.reporter {
            values["reporter"] = [reporter.name, reporter.phone, reporter.email, reporter.accountId.map { "账号 \($0)" }]
                .compactMap { $0 }.joined(separator: " · ")
        }
        // Supervision cards (督办), as the ledger records them.
        let cards = try await database.cards(ofCase: id)
        if !cards.isEmpty {
            values["cards"] = cards.map { "\($0.color == .red ? "红牌" : "黄牌") \(reading.time($0.givenAt))" }.joined(separator: "；")
        }
        let mayAct = context.caller.may(.handleCases)
        return try Pages.render("case", title: "案件 " + id, caller: context.caller, [
            "case": values, "hasActions": mayAct && !detail.allowedActions.isEmpty,
            "ledger": detail.ledger.map { ["at": reading.time($0.at), "actor": $0.actor, "action": $0.action, "actionLabel": Labels.action[$0.action] ?? $0.action, "note": $0.note] },
            "actions": mayAct ? detail.allowedActions.map { action -> [String: Any] in
                [
                    "action": action.rawValue, "label": Labels.action[action.rawValue] ?? action.rawValue,
                    "dispatch": action == .dispatch, "escalate": action == .escalate, "followUp": action == .followUp,
                ]
            } : [],
            "tracks": Labels.options(Labels.track, CaseTrack.allCases.map(\.rawValue)),
            "satisfactions": Labels.options(Labels.satisfaction, Satisfaction.allCases.map(\.rawValue)),
        ])
    }

    /// The case report of a unit over a period (default: the 30 days to today), its three rates.
    @Sendable func caseReport(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let unit = try await context.requireScope(try await unitQuery(request, context))
        let today = try await database.today()
        let to = try request.dateQuery("to") ?? today
        let from = try request.dateQuery("from") ?? to.adding(days: -29)
        guard from <= to else { throw GridbookError.invalid(field: "from", problem: "\(from) is after to (\(to))") }
        let report = try await database.caseReport(unitCode: unit, from: from, to: to)
        return try Pages.render("case-report", title: "案件报表", caller: context.caller, [
            "unit": unit, "unitName": report.unit.name, "from": from.description, "to": to.description,
            "accepted": report.total.accepted, "finished": report.finished, "finishedOnTime": report.finishedOnTime,
            "followedUp": report.followedUp, "satisfied": report.satisfied,
            "resolutionRate": CoverageCounts.percentText(report.resolutionRate), "onTimeRate": CoverageCounts.percentText(report.onTimeRate),
            "satisfactionRate": CoverageCounts.percentText(report.satisfactionRate),
            "overdue": report.overdue.map { caseRow($0, today: to) },
        ])
    }

    /// The daily, weekly or monthly digest of a unit (default: the caller's, daily, read today),
    /// for township staff, mediators and county admins, as the API answers it.
    @Sendable func digest(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        _ = try context.require(.handleCases)
        let unit = try await context.requireScope(try await unitQuery(request, context))
        let period = try request.choiceQuery("period", DigestPeriod.self) ?? .daily
        let digest = try await database.digest(period, unitCode: unit, on: try request.dateQuery("on"))
        let values = try await DigestPage.values(digest, database: database, desk: true)
        return try Pages.render("digest", title: DigestText.heading(digest), caller: context.caller, values)
    }

    /// The form that gives a person in the caller's units a sign-in code.
    @Sendable func codes(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        _ = try context.require(.handleCases)
        return try Pages.render("codes", title: "发放登录码", caller: context.caller, [:])
    }
}

/// The digest as a page: the desk's (`/desk/digest`, with its navigation and links) and
/// `gridbook digest --format html`'s (one self-contained file, its style inline), from one
/// template and the same words as the command line's table (``DigestText``).
package enum DigestPage {
    /// Rows of a long list the page shows; the JSON has them all.
    static let shown = 50

    /// The page's values; `desk` links records to their desk pages.
    static func values(_ digest: Digest, database: AppDatabase, desk: Bool) async throws -> [String: Any] {
        let zone = TimeZone(identifier: try await database.timeZoneIdentifier()) ?? TimeZone(secondsFromGMT: 8 * 3600) ?? .current
        var calendar = LocalCalendar(timeZone: zone)
        let categories = Dictionary(try await database.issueCategories().map { ($0.code, $0.label) }, uniquingKeysWith: { first, _ in first })
        let time = { (text: String) in Timestamp(text).map { calendar.localTime($0) } ?? text }
        let triage = digest.triage.items.map { item -> [String: Any] in
            [
                "id": item.id, "title": item.title, "kind": Labels.kind[item.kind] ?? item.kind,
                "category": categories[item.category] ?? item.category, "level": item.level,
                "levelLabel": (item.kind == "risk" ? Labels.riskLevel : Labels.caseLevel)[item.level] ?? item.level,
                "unit": item.unitCode, "reportedAt": time(item.reportedAt),
                "link": item.kind == "risk" ? "/desk/risks/\(item.id)" : "/desk/cases/\(item.id)",
            ]
        }
        let grids = digest.overdueByGrid.prefix(shown).map { grid -> [String: Any] in
            ["code": grid.code, "name": grid.name, "overdue": grid.overdue, "longest": grid.longestOverdueDays,
             "members": grid.gridMembers.isEmpty ? "（无）" : grid.gridMembers.joined(separator: "、")]
        }
        let late = digest.risks.notReviewedOnTime
        return [
            "desk": desk, "standalone": !desk, "title": DigestText.heading(digest),
            "unitCode": digest.unit.code, "unitName": digest.unit.name, "on": digest.on.description,
            "from": digest.from.description, "to": digest.to.description,
            "periods": DigestPeriod.allCases.map { ["value": $0.rawValue, "label": DigestText.title($0), "selected": $0 == digest.period] },
            "sections": DigestText.summary(digest).map { section in
                ["section": section.section, "lines": section.lines.map { ["label": $0.label, "value": $0.value] }]
            },
            "triageFrom": digest.triage.from.description, "triageTo": digest.triage.to.description,
            "triageDays": digest.triage.from != digest.triage.to, "triageAsOf": time(digest.triage.asOf),
            "triage": triage, "hasTriage": !triage.isEmpty,
            "grids": grids, "hasGrids": !grids.isEmpty, "shownGrids": grids.count,
            "moreGrids": max(0, digest.overdueByGrid.count - grids.count),
            "categories": digest.risks.byCategory.keys.sorted().map { ["label": categories[$0] ?? $0, "count": digest.risks.byCategory[$0] ?? 0] },
            "lateReviews": late.prefix(shown).map { risk -> [String: Any] in
                ["id": risk.id, "title": risk.title, "level": risk.level.rawValue,
                 "levelLabel": Labels.riskLevel[risk.level.rawValue] ?? "", "reviewDue": risk.reviewDue.description]
            },
            "moreLateReviews": max(0, late.count - shown),
            "overdueCases": digest.cases.overdue.prefix(shown).map { dispute -> [String: Any] in
                var row: [String: Any] = [
                    "id": dispute.id, "title": dispute.title, "deadline": dispute.deadline.description,
                    "levelLabel": Labels.caseLevel[dispute.level.rawValue] ?? "", "status": Labels.caseStatus[dispute.status.rawValue] ?? "",
                ]
                if let assignee = dispute.assignee { row["assignee"] = assignee }
                return row
            },
            "gaps": DigestText.gaps(digest.pairing).filter { !$0.units.isEmpty }.map { gap -> [String: Any] in
                ["label": gap.label, "count": gap.units.count, "more": gap.units.count > 20,
                 "units": gap.units.prefix(20).map { ["code": $0.code, "name": $0.name] }]
            },
        ]
    }

    /// The digest as one self-contained HTML page (no script, no external file).
    package static func html(_ digest: Digest, database: AppDatabase) async throws -> String {
        let values = try await values(digest, database: database, desk: false)
        guard let html = try Pages.library.get().render(values, withTemplate: "digest") else { return "" }
        return html
    }
}
