import HTTPTypes
import Hummingbird

/// Lets civic-reporting web apps on other sites call GeoReport v2 from a browser: every answer
/// under `/open311/` allows any origin, and a browser's preflight (`OPTIONS`, before a POST with
/// an `Authorization` or `Idempotency-Key` header) is answered 204 with what may be sent.
///
/// Any origin is safe here because no answer depends on what a browser holds: Open311 reads its
/// key from the form or the `Authorization` header, never from the desk's session cookie (and a
/// page may not read a credentialed answer under a wildcard origin). What a page on another site
/// can read is what anyone who reaches the server can: the services and, without a key, claim
/// tickets.
struct Open311CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/open311/") else { return try await next(request, context) }
        if request.method == .options {
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = "GET, HEAD, POST"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type, Idempotency-Key"
            response.headers[.accessControlMaxAge] = "86400"
            return Self.allowingAnyOrigin(response)
        }
        do {
            return Self.allowingAnyOrigin(try await next(request, context))
        } catch let error as HTTPResponseError {
            return Self.allowingAnyOrigin(try error.response(from: request, context: context))
        }
    }

    static func allowingAnyOrigin(_ response: Response) -> Response {
        var response = response
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    }
}
