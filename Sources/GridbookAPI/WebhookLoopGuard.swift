import GridbookCore
import HTTPTypes
import Hummingbird

/// Refuses, with 508 Loop Detected, any request carrying the header every webhook delivery
/// carries (`X-Gridbook-Event`): a hook that reaches this server, directly or through a proxy
/// the deliverer cannot see through, is answered without being handled, so a delivery can never
/// cause another. The deliverer counts the 508 as a failed attempt and says so in `webhook list`.
public struct WebhookLoopGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The header's name as HTTPTypes spells fields.
    static var eventField: HTTPField.Name? { HTTPField.Name(WebhookSignature.eventHeader) }

    /// A guard for a router.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let field = Self.eventField, request.headers[field] != nil {
            throw APIError(HTTPResponse.Status(code: 508, reasonPhrase: "Loop Detected"), code: "loop_detected",
                           message: "a Gridbook webhook delivery (\(WebhookSignature.eventHeader)) is never handled by a Gridbook server: the hook points back at one")
        }
        return try await next(request, context)
    }
}
