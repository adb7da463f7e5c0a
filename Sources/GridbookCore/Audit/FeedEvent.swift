import Foundation

/// An event as the feed shows it (SPEC section 6, `GET /api/v1/events` and `gridbook events
/// --format json`): `{seq, type, id, at, data}` with `data` as a JSON object.
public struct FeedEvent: Encodable, Sendable {
    public var seq: Int64
    public var type: String
    public var id: String
    public var at: String
    public var data: RawJSON

    /// The feed's view of a stored event.
    public init(_ event: Event) {
        seq = event.seq ?? 0
        type = event.type
        id = event.recordId
        at = event.at
        data = RawJSON(text: event.data)
    }
}

extension AppDatabase {
    /// A page of the feed: `limit` events after `seq`, oldest first (only those of records at or
    /// under `units` when given); `next` is the last one's seq when more follow.
    public func feed(after seq: Int64 = 0, limit: Int = 100, under units: [String]? = nil) async throws -> Page<FeedEvent> {
        Page(fetchedOneMore: try await events(after: seq, limit: limit + 1, under: units).map(FeedEvent.init), limit: limit) { "\($0.seq)" }
    }
}

/// Stored JSON put back into a response as it is.
public struct RawJSON: Encodable, Sendable {
    public let text: String

    /// Stored JSON text.
    public init(text: String) { self.text = text }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let data = text.data(using: .utf8), let value = try? JSONDecoder().decode(JSONValue.self, from: data) {
            try container.encode(value)
        } else {
            try container.encodeNil()
        }
    }
}

/// Any JSON value, to carry stored JSON through an encoder.
indirect enum JSONValue: Codable, Sendable {
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
