import HTTPTypes
import Hummingbird

/// The headers every answer carries, pages and API alike: nothing the server sends may run
/// script from elsewhere, be framed by another site, or be sniffed into another type.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The policy of every page: only the server's own files, no inline script or style, never
    /// framed (pages keep all code in /app and /desk files).
    static var contentSecurityPolicy: String {
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return Self.secured(try await next(request, context))
        } catch let error as HTTPResponseError {
            // Errors become responses further out; this one is answered here so it carries the
            // headers too.
            return Self.secured(try error.response(from: request, context: context))
        }
    }

    /// The response with the security headers added (a response that set its own policy keeps it).
    static func secured(_ response: Response) -> Response {
        var response = response
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        response.headers[.xFrameOptions] = "DENY"
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    /// The header a browser session's writes carry its CSRF token in.
    package static let csrfToken = Self("X-CSRF-Token")!
}
