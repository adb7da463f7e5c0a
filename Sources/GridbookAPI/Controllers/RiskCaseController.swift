import Foundation
import GridbookCore
import Hummingbird

/// The risk register and the case ledger over the API (SPEC section 6).
struct RiskCaseController {
    let database: AppDatabase

    /// A risk as clients send it.
    struct RiskBody: Decodable {
        var unitCode: String?
        var householdCode: String?
        var category: String
        var level: RiskLevel
        var title: String
        var description: String?
        var source: RiskSource
    }

    /// A change to a risk.
    struct RiskPatch: Decodable {
        var status: RiskStatus?
        var level: RiskLevel?
        var note: String?
    }

    /// A case as clients file it.
    struct CaseBody: Decodable {
        var title: String
        var category: String
        var unitCode: String
        var parties: String?
        var source: CaseSource
        var level: CaseLevel?
        /// ISO 8601 with offset: when the resident reported it.
        var reportedAt: String?
    }

    /// An action on a case.
    struct ActionBody: Decodable {
        var action: CaseAction
        var note: String?
        var assignee: String?
        var deadline: LocalDate?
        var deadlineWorkingDays: Int?
        var track: CaseTrack?
        var satisfaction: Satisfaction?
    }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("risks", use: addRisk)
        group.get("risks", use: risks)
        group.get("risks/:id", use: risk)
        group.patch("risks/:id", use: updateRisk)
        group.post("risks/:id/promote", use: promote)
        group.post("cases", use: fileCase)
        group.get("cases", use: cases)
        group.get("cases/:id", use: dispute)
        group.post("cases/:id/actions", use: act)
        group.get("reports/cases", use: caseReport)
        group.get("reports/units", use: unitRanking)
    }

    /// The units one level under a unit ranked for the last week or month (the rule: ``UnitRanking/ruleText``).
    @Sendable func unitRanking(_ request: Request, context: AuthenticatedContext) async throws -> UnitRanking {
        let unit = try await context.requireScope(request.requiredQuery("unit"))
        guard let period = try request.choiceQuery("period", RankingPeriod.self) else {
            throw GridbookError.invalid(field: "period", problem: "is missing (week or month)")
        }
        return try await database.unitRanking(unitCode: unit, period: period, on: try request.dateQuery("on"))
    }

    /// Reports a risk (201).
    @Sendable func addRisk(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Risk> {
        let caller = try context.require(.reportRisks)
        let body = try await request.decodeJSON(RiskBody.self, context: context)
        try body.unitCode.map { try RecordCode.check($0, field: "unit_code") }
        try body.householdCode.map { try RecordCode.check($0, field: "household_code") }
        // A risk on a household is checked where the household sits (a block head's block).
        if let household = body.householdCode {
            try await context.requireScope(try await database.scopeUnit(ofHousehold: household))
        } else if let unit = body.unitCode {
            try await context.requireScope(unit)
        }
        let new = NewRisk(unitCode: body.unitCode, householdCode: body.householdCode, category: body.category, level: body.level,
                          title: body.title, description: body.description ?? "", source: body.source, reportedBy: caller.person.id)
        return EditedResponse(status: .created, response: try await database.addRisk(new, by: .person(caller.person.id)))
    }

    /// A page of the risks under a unit, most urgent first.
    @Sendable func risks(_ request: Request, context: AuthenticatedContext) async throws -> Page<Risk> {
        let unit = try await context.requireScope(request.requiredQuery("unit"))
        let household = request.query("household")
        try household.map { try RecordCode.check($0, field: "household") }
        let filter = RiskFilter(unitCode: unit, status: try request.choiceQuery("status", RiskStatus.self),
                                level: try request.choiceQuery("level", RiskLevel.self), category: request.query("category"),
                                reviewOverdue: try request.flagQuery("review_overdue"),
                                householdCode: household)
        return try await database.risks(filter, page: Paging.page(request))
    }

    /// One risk with its follow-ups.
    @Sendable func risk(_ request: Request, context: AuthenticatedContext) async throws -> RiskDetail {
        let detail = try await database.risk(id: try context.parameters.require("id"))
        try await context.requireScope(try await database.scopeUnit(of: detail.risk))
        return detail
    }

    /// Changes a risk's status or level, with a note.
    @Sendable func updateRisk(_ request: Request, context: AuthenticatedContext) async throws -> Risk {
        let caller = try context.require(.reportRisks)
        let id = try context.parameters.require("id")
        try await context.requireScope(try await database.scopeUnit(of: try await database.risk(id: id).risk))
        let patch = try await request.decodeJSON(RiskPatch.self, context: context)
        return try await database.updateRisk(id: id, status: patch.status, level: patch.level, note: patch.note, by: .person(caller.person.id))
    }

    /// Promotes a risk to a case: 201 the first time, 200 with the same case after.
    @Sendable func promote(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DisputeCase> {
        let caller = try context.require(.handleCases)
        let id = try context.parameters.require("id")
        try await context.requireScope(try await database.scopeUnit(of: try await database.risk(id: id).risk))
        switch try await database.promoteRisk(id: id, by: .person(caller.person.id)) {
        case .created(let dispute): return EditedResponse(status: .created, response: dispute)
        case .existing(let dispute): return EditedResponse(status: .ok, response: dispute)
        }
    }

    /// Files a case (201).
    @Sendable func fileCase(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DisputeCase> {
        let caller = try context.require(.handleCases)
        let body = try await request.decodeJSON(CaseBody.self, context: context)
        try RecordCode.check(body.unitCode, field: "unit_code")
        try await context.requireScope(body.unitCode)
        let reported = try body.reportedAt.map(NewCase.reportedAt)
        let new = NewCase(title: body.title, category: body.category, unitCode: body.unitCode, parties: body.parties ?? "",
                          source: body.source, level: body.level, reportedAt: reported)
        return EditedResponse(status: .created, response: try await database.fileCase(new, by: .person(caller.person.id)))
    }

    /// A page of the cases under a unit.
    @Sendable func cases(_ request: Request, context: AuthenticatedContext) async throws -> Page<DisputeCase> {
        let unit = try await context.requireScope(request.requiredQuery("unit"))
        let overdueOn = try request.flagQuery("overdue") ? try await database.today() : nil
        return try await database.cases(under: unit, status: try request.choiceQuery("status", CaseStatus.self),
                                        overdueOn: overdueOn, carded: try request.choiceQuery("carded", CardColor.self),
                                        page: Paging.page(request))
    }

    /// One case with its ledger.
    @Sendable func dispute(_ request: Request, context: AuthenticatedContext) async throws -> CaseDetail {
        let id = try context.parameters.require("id")
        let detail = try await database.caseDetail(id: id)
        try await context.requireScope(detail.dispute.unitCode)
        // A reveal is checked and audited only once the case is known to be in scope.
        guard try request.flagQuery("reveal") else { return detail }
        return try await database.caseDetail(id: id, revealTo: context.caller)
    }

    /// An action on a case; illegal transitions answer 409.
    @Sendable func act(_ request: Request, context: AuthenticatedContext) async throws -> DisputeCase {
        let caller = try context.require(.handleCases)
        let id = try context.parameters.require("id")
        try await context.requireScope(try await database.caseDetail(id: id).dispute.unitCode)
        let body = try await request.decodeJSON(ActionBody.self, context: context)
        let input = CaseActionInput(body.action, note: body.note ?? "", assignee: body.assignee, deadline: body.deadline,
                                    deadlineWorkingDays: body.deadlineWorkingDays, track: body.track, satisfaction: body.satisfaction)
        return try await database.act(onCase: id, input, by: .person(caller.person.id))
    }

    /// The case report for a period.
    @Sendable func caseReport(_ request: Request, context: AuthenticatedContext) async throws -> CaseReport {
        let unit = try await context.requireScope(request.requiredQuery("unit"))
        guard let from = try request.dateQuery("from") else { throw GridbookError.invalid(field: "from", problem: "is missing (YYYY-MM-DD)") }
        guard let to = try request.dateQuery("to") else { throw GridbookError.invalid(field: "to", problem: "is missing (YYYY-MM-DD)") }
        return try await database.caseReport(unitCode: unit, from: from, to: to)
    }
}
