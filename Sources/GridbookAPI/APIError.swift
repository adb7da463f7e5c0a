import Foundation
import GridbookCore
import Hummingbird
import NIOCore
import NIOHTTP1

/// An API error: a status and the error body of SPEC section 6,
/// `{"error": {"code", "message", "details": [{"field", "problem"}]}}`.
public struct APIError: HTTPResponseError, Equatable {
    /// A field-level problem.
    public struct Detail: Codable, Equatable, Sendable {
        public var field: String
        public var problem: String
    }

    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let details: [Detail]
    /// Seconds to send as `Retry-After` (a 503), or nil.
    public let retryAfter: Int?

    /// An error with its status, machine-readable code, message and field details.
    public init(_ status: HTTPResponse.Status, code: String, message: String, details: [Detail] = [], retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retryAfter = retryAfter
    }

    /// 503 with `Retry-After`: the database is busy, full, read-only or failing; nothing was written.
    init(_ trouble: StorageTrouble) {
        self.init(.serviceUnavailable, code: trouble.code, message: trouble.description, retryAfter: trouble.retryAfterSeconds)
    }

    /// The error as a Gridbook core error maps to HTTP: unknown → 404, invalid → 400, conflict → 409, not allowed → 403.
    init(_ error: GridbookError) {
        switch error {
        case .notFound: self.init(.notFound, code: "not_found", message: error.description)
        case .invalid(let field, let problem):
            self.init(.badRequest, code: "invalid", message: error.description, details: [Detail(field: field, problem: problem)])
        case .conflict: self.init(.conflict, code: "conflict", message: error.description)
        case .notAllowed: self.init(.forbidden, code: "forbidden", message: error.description)
        }
    }

    private struct Body: Encodable {
        struct Inner: Encodable {
            var code: String
            var message: String
            var details: [Detail]
        }
        var error: Inner
    }

    /// The error body's bytes.
    var body: Data {
        // Strings and arrays of strings always encode.
        (try? JSONOutput.encode(Body(error: .init(code: code, message: message, details: details)))) ?? Data()
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Turns every error a route throws into the JSON error body: core errors by kind, bad JSON
/// into 400 with the field, Hummingbird's own (413, 404 for no route) with their status, a
/// busy, full, read-only or failing database into 503 with `Retry-After`, and anything else
/// into a 500 that says nothing of its cause.
package struct ErrorMiddleware: RouterMiddleware {
    package typealias Context = GridbookRequestContext

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw Self.apiError(for: error, context: context)
        }
    }

    /// The API error an error thrown by a route answers as (the pages show the same in HTML).
    package static func apiError(for error: any Error, context: some RequestContext) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as GridbookError: return APIError(error)
        case let error as DecodingError: return APIError(decoding: error)
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "too_large", message: "the body is over \(context.maxUploadSize) bytes")
        case let error as HTTPError:
            let code = error.status == .contentTooLarge ? "too_large" : error.status == .notFound ? "not_found" : "bad_request"
            return APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase)
        case let error as HTTPParserError:
            // The connection ended, or was closed idle, in the middle of the request's body; or
            // what came was not HTTP.
            if error == .invalidEOFState {
                return APIError(.requestTimeout, code: "request_timeout", message: "the request ended before its body was complete")
            }
            return APIError(.badRequest, code: "bad_request", message: "the request could not be read: \(error)")
        case is CancellationError:
            // The request's task was cancelled before it was answered: the server stopping (past
            // its drain), or a client that went away (a report waiting its turn).
            return APIError(.requestTimeout, code: "request_timeout", message: "the request was not finished in time: send it again")
        default:
            if let trouble = StorageTrouble(error) {
                context.logger.warning("database unavailable", metadata: ["trouble": "\(trouble.code)", "error": "\(error)"])
                return APIError(trouble)
            }
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error))) \(error)"])
            return APIError(.internalServerError, code: "internal", message: "the request could not be completed")
        }
    }
}

extension APIError {
    /// A 400 naming the field a JSON body got wrong.
    init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey]) -> String {
            // Keys as the body spells them (the decoder fills camelCase properties from snake_case keys).
            codingPath.isEmpty ? "body" : codingPath.map { $0.intValue.map { "[\($0)]" } ?? JSONOutput.snakeCase($0.stringValue) }
                .joined(separator: ".")
        }
        let detail: Detail
        switch error {
        case .keyNotFound(let key, let context):
            detail = Detail(field: path(context.codingPath + [key]), problem: "is missing")
        case .typeMismatch(let type, let context):
            detail = Detail(field: path(context.codingPath), problem: "must be \(Self.kind(of: type))")
        case .valueNotFound(let type, let context):
            detail = Detail(field: path(context.codingPath), problem: "must be \(Self.kind(of: type)), not null")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // Foundation says the same for a body that is not JSON and for a number its field
            // cannot hold; ``Request/decodeJSON(_:context:)`` tells them apart when it can.
            detail = Detail(field: "body", problem: "is not valid JSON")
        case .dataCorrupted(let context):
            detail = Detail(field: path(context.codingPath), problem: context.debugDescription)
        @unknown default:
            detail = Detail(field: "body", problem: "cannot be read")
        }
        self.init(.badRequest, code: "invalid", message: "\(detail.field): \(detail.problem)", details: [detail])
    }

    /// What a field of a type holds, as a refusal says it: "text", "a whole number".
    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is String.Type, is Character.Type: "text"
        case is Bool.Type: "true or false"
        case is any FixedWidthInteger.Type: "a whole number"
        case is any BinaryFloatingPoint.Type, is Decimal.Type: "a number"
        case is [String: Any].Type: "an object"
        default:
            String(describing: type).hasPrefix("Array<") ? "a list"
                : String(describing: type).hasPrefix("Dictionary<") ? "an object"
                : "a value of another kind"
        }
    }
}
