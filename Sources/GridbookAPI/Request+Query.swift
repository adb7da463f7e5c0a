import Foundation
import GridbookCore
import Hummingbird

/// Responses that are not JSON (JSON answers are encoded by the request context's encoder).
enum TextResponse {
    /// A text response (CSV, HTML, YAML).
    static func text(_ text: String, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Request {
    /// The JSON body decoded: 413 past the context's upload limit, 400 naming the field and its
    /// problem on bad JSON, a value of the wrong kind, a choice not among the allowed values, a
    /// number that is not whole, or text holding a NUL character (``NULCheck``).
    package func decodeJSON<Body: Decodable>(_ type: Body.Type, context: some RequestContext) async throws -> Body {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer: buffer)
        let decoded: Body
        do {
            decoded = try JSONOutput.makeDecoder().decode(Body.self, from: data)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty
                    && (try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)) != nil {
            // Valid JSON the decoder still calls invalid: a number its field cannot hold, in a
            // place the field-naming refusals (KeyedDecodingContainer+Refusals) do not reach.
            throw GridbookError.invalid(field: "body", problem: "holds a number its field cannot take (a whole number is expected)")
        }
        if let field = NULCheck.field(in: data) {
            throw GridbookError.invalid(field: field, problem: "holds a NUL character (\\u0000), which text may not")
        }
        return decoded
    }

    /// A query parameter, or nil when absent or empty.
    package func query(_ name: String) -> String? {
        uri.queryParameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A date query parameter: nil when absent, 400 when not `YYYY-MM-DD`.
    package func dateQuery(_ name: String) throws -> LocalDate? {
        guard let text = query(name) else { return nil }
        guard let date = LocalDate(text) else { throw GridbookError.invalid(field: name, problem: "\(text) is not a date (YYYY-MM-DD)") }
        return date
    }

    /// An enum query parameter: nil when absent, 400 naming the allowed values otherwise.
    package func choiceQuery<Choice: RawRepresentable & CaseIterable>(_ name: String, _ type: Choice.Type) throws -> Choice?
        where Choice.RawValue == String {
        guard let text = query(name) else { return nil }
        guard let choice = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw GridbookError.invalid(field: name, problem: "\(text) is not one of \(allowed)")
        }
        return choice
    }

    /// A `true`/`false` query parameter: false when absent, 400 otherwise.
    package func flagQuery(_ name: String) throws -> Bool {
        switch query(name) {
        case nil, "false": return false
        case "true": return true
        case let text?: throw GridbookError.invalid(field: name, problem: "\(text) is not true or false")
        }
    }

    /// A required query parameter: 400 when absent.
    package func requiredQuery(_ name: String) throws -> String {
        guard let value = query(name) else { throw GridbookError.invalid(field: name, problem: "is missing") }
        return value
    }
}
