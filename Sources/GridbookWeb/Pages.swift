import Foundation
import GridbookAPI
import GridbookCore
import Hummingbird
import Mustache

/// The desk's templates (`Resources/templates/*.mustache`, embedded), rendered with values
/// Mustache escapes: text from the database is always text, never markup. Every page shares
/// the `head` and `foot` partials.
enum Pages {
    static let library: Result<MustacheLibrary, any Error> = Result {
        var library = MustacheLibrary()
        let templates: [(String, [UInt8])] = [
            ("head", PackageResources.head_mustache), ("foot", PackageResources.foot_mustache),
            ("coverage", PackageResources.coverage_mustache), ("household", PackageResources.household_mustache),
            ("risks", PackageResources.risks_mustache), ("risk", PackageResources.risk_mustache),
            ("cases", PackageResources.cases_mustache), ("case", PackageResources.case_mustache),
            ("case-report", PackageResources.case_report_mustache), ("codes", PackageResources.codes_mustache),
            ("error", PackageResources.error_mustache), ("digest", PackageResources.digest_mustache),
        ]
        for (name, bytes) in templates { try library.register(String(decoding: bytes, as: UTF8.self), named: name) }
        return library
    }

    /// The page `template` shows for `values`, with the caller's name and navigation.
    static func render(_ template: String, title: String, caller: Caller?, status: HTTPResponse.Status = .ok, _ values: [String: Any]) throws -> Response {
        var page = values
        page["title"] = title
        if let caller {
            page["me"] = ["name": caller.person.name, "id": caller.person.id, "handlesCases": caller.may(.handleCases)] as [String: Any]
        }
        guard let html = try library.get().render(page, withTemplate: template) else {
            throw HTTPError(.internalServerError, message: "no template \(template)")
        }
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// The desk's errors as pages: a request without a session goes to the sign-in page (and back
/// after); any other error is a page with its status and the API's message, which for a record
/// outside the caller's units says only that (never where it sits).
struct PageMiddleware: RouterMiddleware {
    typealias Context = GridbookRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = ErrorMiddleware.apiError(for: error, context: context)
            if apiError.status == .unauthorized {
                let path = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                let next = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_.~"))) ?? "/desk/"
                return Response.redirect(to: "/login?next=" + next, type: .normal)
            }
            let title = Labels.status[Int(apiError.status.code)] ?? "出错了"
            var response = try Pages.render("error", title: title, caller: context.caller, status: apiError.status, [
                "status": Int(apiError.status.code), "message": apiError.message,
            ])
            if let retryAfter = apiError.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        }
    }
}

/// Chinese labels of the values the pages show (the API sends the codes).
enum Labels {
    static let status: [Int: String] = [400: "请求有误", 403: "无权查看", 404: "找不到", 409: "冲突", 503: "服务暂不可用"]
    static let level: [String: String] = [
        "county": "旗县", "township": "苏木乡镇", "village": "嘎查村（社区）", "grid": "网格", "block": "片区",
    ]
    static let riskLevel: [String: String] = ["red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"]
    static let riskStatus: [String: String] = ["open": "待处置", "monitoring": "跟踪中", "resolved": "已化解", "promoted": "已转案件"]
    static let caseStatus: [String: String] = [
        "accepted": "已受理", "assigned": "已派单", "in_progress": "办理中", "resolved": "已化解", "unresolved": "未化解", "closed": "已办结",
    ]
    static let caseLevel: [String: String] = ["village": "村级", "township": "乡镇级", "county": "县级"]
    static let action: [String: String] = [
        "accept": "受理", "dispatch": "派单", "start": "开始办理", "note": "记录", "resolve": "化解", "fail": "未能化解",
        "escalate": "上报", "feedback": "反馈当事人", "follow_up": "回访", "close": "办结", "reopen": "重新打开",
        "respond": "响应", "promote": "由风险转入", "supervise": "督办",
    ]
    static let track: [String: String] = [
        "mediation": "人民调解", "judicial_confirmation": "司法确认", "litigation": "诉讼", "petition": "信访",
    ]
    static let satisfaction: [String: String] = ["satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"]
    static let outcome: [String: String] = ["met": "见到", "absent": "不在家", "refused": "拒绝"]
    static let method: [String: String] = ["door": "入户", "phone": "电话", "video": "视频", "other": "其他"]

    /// `value` with its label, for a select's options.
    static func options(_ labels: [String: String], _ values: [String], selected: String? = nil) -> [[String: Any]] {
        values.map { ["value": $0, "label": labels[$0] ?? $0, "selected": $0 == selected] }
    }
}
