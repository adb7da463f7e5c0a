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

        enum CodingKeys: String, CodingKey {
            case category, level, title, description, source
            case unitCode = "unit_code"
            case householdCode = "household_code"
        }
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

        enum CodingKeys: String, CodingKey {
            case title, category, parties, source, level
            case unitCode = "unit_code"
        }
    }

    /// An action on a case.
    struct ActionBody: Decodable {
        var action: CaseAction
        var note: String?
        var assignee: String?
        var deadline: LocalDate?
        var track: CaseTrack?
        var satisfaction: Satisfaction?
    }

    /// Where a risk is checked for scope: its household's block or grid when it has one (so a
    /// block head reads what they reported), else its grid.
    func unit(of risk: Risk) async throws -> String {
        guard let household = risk.householdCode else { return risk.unitCode }
        return try await database.innermostUnit(ofHousehold: household)
    }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("risks") { request, context in
            let caller = try context.require(.reportRisks)
            let body = try await request.decodeJSON(RiskBody.self, context: context)
            try body.unitCode.map { try RecordCode.check($0, field: "unit_code") }
            try body.householdCode.map { try RecordCode.check($0, field: "household_code") }
            // A risk on a household is checked where the household sits (a block head's block).
            if let household = body.householdCode {
                try await context.requireScope(try await database.innermostUnit(ofHousehold: household))
            } else if let unit = body.unitCode {
                try await context.requireScope(unit)
            }
            let new = NewRisk(unitCode: body.unitCode, householdCode: body.householdCode, category: body.category, level: body.level,
                              title: body.title, description: body.description ?? "", source: body.source, reportedBy: caller.person.id)
            let risk = try await database.addRisk(new, by: .person(caller.person.id))
            return try JSONResponse.make(risk, status: .created)
        }
        group.get("risks") { request, context in
            let unit = try await context.requireScope(request.requiredQuery("unit"))
            let filter = RiskFilter(unitCode: unit, status: try request.choiceQuery("status", RiskStatus.self),
                                    level: try request.choiceQuery("level", RiskLevel.self), category: request.query("category"),
                                    reviewOverdue: try request.flagQuery("review_overdue"))
            return try JSONResponse.make(try await database.risks(filter, page: Paging.page(request)))
        }
        group.get("risks/:id") { _, context in
            let detail = try await database.risk(id: try context.parameters.require("id"))
            try await context.requireScope(try await unit(of: detail.risk))
            return try JSONResponse.make(detail)
        }
        group.patch("risks/:id") { request, context in
            let caller = try context.require(.reportRisks)
            let id = try context.parameters.require("id")
            try await context.requireScope(try await unit(of: try await database.risk(id: id).risk))
            let patch = try await request.decodeJSON(RiskPatch.self, context: context)
            return try JSONResponse.make(try await database.updateRisk(id: id, status: patch.status, level: patch.level, note: patch.note, by: .person(caller.person.id)))
        }
        group.post("risks/:id/promote") { _, context in
            let caller = try context.require(.handleCases)
            let id = try context.parameters.require("id")
            try await context.requireScope(try await unit(of: try await database.risk(id: id).risk))
            switch try await database.promoteRisk(id: id, by: .person(caller.person.id)) {
            case .created(let dispute): return try JSONResponse.make(dispute, status: .created)
            case .existing(let dispute): return try JSONResponse.make(dispute, status: .ok)
            }
        }
        group.post("cases") { request, context in
            let caller = try context.require(.handleCases)
            let body = try await request.decodeJSON(CaseBody.self, context: context)
            try RecordCode.check(body.unitCode, field: "unit_code")
            try await context.requireScope(body.unitCode)
            let new = NewCase(title: body.title, category: body.category, unitCode: body.unitCode, parties: body.parties ?? "",
                              source: body.source, level: body.level)
            let dispute = try await database.fileCase(new, by: .person(caller.person.id))
            return try JSONResponse.make(dispute, status: .created)
        }
        group.get("cases") { request, context in
            let unit = try await context.requireScope(request.requiredQuery("unit"))
            let overdueOn = try request.flagQuery("overdue") ? try await database.today() : nil
            return try JSONResponse.make(try await database.cases(under: unit, status: try request.choiceQuery("status", CaseStatus.self),
                                                                  overdueOn: overdueOn, page: Paging.page(request)))
        }
        group.get("cases/:id") { _, context in
            let detail = try await database.caseDetail(id: try context.parameters.require("id"))
            try await context.requireScope(detail.dispute.unitCode)
            return try JSONResponse.make(detail)
        }
        group.post("cases/:id/actions") { request, context in
            let caller = try context.require(.handleCases)
            let id = try context.parameters.require("id")
            try await context.requireScope(try await database.caseDetail(id: id).dispute.unitCode)
            let body = try await request.decodeJSON(ActionBody.self, context: context)
            let input = CaseActionInput(body.action, note: body.note ?? "", assignee: body.assignee, deadline: body.deadline,
                                        track: body.track, satisfaction: body.satisfaction)
            let dispute = try await database.act(onCase: id, input, by: .person(caller.person.id))
            return try JSONResponse.make(dispute)
        }
        group.get("reports/cases") { request, context in
            let unit = try await context.requireScope(request.requiredQuery("unit"))
            guard let from = try request.dateQuery("from") else { throw GridbookError.invalid(field: "from", problem: "is missing (YYYY-MM-DD)") }
            guard let to = try request.dateQuery("to") else { throw GridbookError.invalid(field: "to", problem: "is missing (YYYY-MM-DD)") }
            return try JSONResponse.make(try await database.caseReport(unitCode: unit, from: from, to: to))
        }
    }
}
