import Foundation

/// The body a hook receives: the event exactly as the feed shows it (``FeedEvent``:
/// `{"at", "data", "id", "seq", "type"}`, keys sorted, on one line), personal data masked as
/// in the API.
public enum WebhookPayload {
    /// The body for a stored event.
    public static func body(for event: Event) throws -> [UInt8] {
        var masked = event
        masked.data = try maskedData(event.data)
        return try JSONOutput.bytes(FeedEvent(masked), pretty: false)
    }

    /// The synthetic event `gridbook webhook test` sends: seq 0 (never a real event's), the hook's
    /// id as the record id, and the hook in `data`.
    public static func testEvent(hook: Webhook, now: Date) -> Event {
        let data = JSONValue.object([
            "webhook": .number(Double(hook.id ?? 0)), "url": .string(hook.url), "events": .array(hook.eventTypes.map(JSONValue.string)),
            "unit_code": hook.unitCode.map(JSONValue.string) ?? .null,
        ])
        let text = (try? JSONOutput.bytes(data, pretty: false)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return Event(seq: 0, type: Webhook.testEventType, recordId: "\(hook.id ?? 0)",
                     at: Timestamp(epochSeconds: Int(now.timeIntervalSince1970)).text, data: text)
    }

    /// An event's stored JSON with every phone number and identity card number masked as the API
    /// masks them (`phone`, `…_phone`, `id_number`, `…_id_number`, `email`, `…_email`, at any depth); the text as it
    /// is when it holds none. Visits, risks and cases carry none today: this keeps it so for any
    /// record the feed carries later.
    public static func maskedData(_ text: String) throws -> String {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return text }
        let (masked, changed) = mask(value)
        guard changed else { return text }
        return String(decoding: try JSONOutput.bytes(masked, pretty: false), as: UTF8.self)
    }

    /// A JSON value with personal data masked, and whether anything was.
    static func mask(_ value: JSONValue, key: String? = nil) -> (JSONValue, Bool) {
        switch value {
        case .string(let text) where !text.isEmpty:
            guard let key else { return (value, false) }
            if key == "phone" || key.hasSuffix("_phone") { return (.string(PersonalData.maskPhone(text)), true) }
            if key == "id_number" || key.hasSuffix("_id_number") { return (.string(PersonalData.maskIDNumber(text)), true) }
            if key == "email" || key.hasSuffix("_email") { return (.string(PersonalData.maskEmail(text)), true) }
            return (value, false)
        case .array(let items):
            let masked = items.map { mask($0, key: key) }
            return (.array(masked.map(\.0)), masked.contains { $0.1 })
        case .object(let fields):
            var changed = false
            var result: [String: JSONValue] = [:]
            for (name, field) in fields {
                let (masked, fieldChanged) = mask(field, key: name)
                result[name] = masked
                changed = changed || fieldChanged
            }
            return (.object(result), changed)
        default:
            return (value, false)
        }
    }
}
