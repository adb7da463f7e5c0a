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

/// What the pages add to the Chinese labels (``Labels``): the answers' statuses.
extension Labels {
    static let status: [Int: String] = [400: "请求有误", 403: "无权查看", 404: "找不到", 409: "冲突", 503: "服务暂不可用"]

    /// `value` with its label, for a select's options.
    static func options(_ labels: [String: String], _ values: [String], selected: String? = nil) -> [[String: Any]] {
        values.map { ["value": $0, "label": labels[$0] ?? $0, "selected": $0 == selected] }
    }
}
