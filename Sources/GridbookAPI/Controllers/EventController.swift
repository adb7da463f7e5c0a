import Foundation
import GridbookCore
import Hummingbird

/// `GET /api/v1/events?after=SEQ&limit=N`: the change feed, oldest first.
struct EventController {
    let database: AppDatabase

    /// An event as the feed shows it: `{seq, type, id, at, data}` with `data` as a JSON object.
    struct FeedItem: Encodable {
        var seq: Int64
        var type: String
        var id: String
        var at: String
        var data: RawJSON
    }

    func addRoutes(to group: RouterGroup<GridbookRequestContext>) {
        group.get("events") { request, context in
            let caller = try context.require(.readFeed)
            var after: Int64 = 0
            if let text = request.query("after") {
                guard let value = Int64(text), value >= 0 else { throw GridbookError.invalid(field: "after", problem: "\(text) is not a sequence number") }
                after = value
            }
            let limit = try Paging.limit(request)
            // Each caller sees the events of their own units only; county admins see all.
            let units = caller.roles.contains(.countyAdmin) ? nil : caller.scopeUnits
            let items = try database.events(after: after, limit: limit + 1, under: units).map {
                FeedItem(seq: $0.seq ?? 0, type: $0.type, id: $0.recordId, at: $0.at, data: RawJSON(text: $0.data))
            }
            return try JSONResponse.make(Paging.page(fetchedOneMore: items, limit: limit) { "\($0.seq)" })
        }
    }
}

/// Stored JSON put back into a response as it is.
struct RawJSON: Encodable {
    let text: String

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let data = text.data(using: .utf8), let value = try? JSONDecoder().decode(JSONValue.self, from: data) {
            try container.encode(value)
        } else {
            try container.encodeNil()
        }
    }
}

/// Any JSON value, to carry stored JSON through an encoder.
indirect enum JSONValue: Codable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
