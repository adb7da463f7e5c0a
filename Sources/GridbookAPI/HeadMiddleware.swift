import HTTPTypes
import Hummingbird

/// HEAD wherever GET works (RFC 9110 section 9.3.2): the router answers HEAD with its GET route
/// (``buildRouter(database:cacheLifetime:)`` builds it with `.autoGenerateHeadEndpoints`), and
/// this, the outermost middleware, drops the body of every answer to a HEAD, an error's
/// included, keeping its status and headers (`Content-Length` the length GET would send).
struct HeadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .head else { return try await next(request, context) }
        do {
            return try await next(request, context).createHeadResponse()
        } catch let error as HTTPResponseError {
            return try error.response(from: request, context: context).createHeadResponse()
        }
    }
}
