import Crypto
import Foundation

/// How a webhook delivery is signed, and how a receiver checks it.
///
/// Every delivery is a `POST` of the event's JSON with these headers:
/// - `X-Gridbook-Event`: the event's type (`visit.logged`, …, or `webhook.test`);
/// - `X-Gridbook-Seq`: the event's seq in the feed, the receiver's idempotency key (a delivery
///   may come more than once; the same seq is the same event);
/// - `X-Gridbook-Webhook`: the hook's id;
/// - `X-Gridbook-Timestamp`: when this attempt was sent, in whole seconds since 1970 (UTC);
/// - `X-Gridbook-Signature`: `sha256=` and the lowercase hexadecimal HMAC-SHA256, keyed with the
///   hook's secret (its UTF-8 bytes), of the signed string: the timestamp header's value, a full
///   stop, and the body's bytes exactly as received (`1796083200.{"at":…}`).
///
/// A receiver recomputes the signature, compares it in constant time, and refuses a timestamp
/// more than five minutes from its own clock (a replayed request), then drops a seq it already has.
public enum WebhookSignature {
    /// The event's type.
    public static let eventHeader = "X-Gridbook-Event"
    /// The event's seq: the idempotency key.
    public static let seqHeader = "X-Gridbook-Seq"
    /// The hook's id.
    public static let webhookHeader = "X-Gridbook-Webhook"
    /// Seconds since 1970 when the attempt was sent.
    public static let timestampHeader = "X-Gridbook-Timestamp"
    /// `sha256=` and the hexadecimal HMAC-SHA256 of the signed string.
    public static let signatureHeader = "X-Gridbook-Signature"
    /// How far a receiver should let a timestamp be from its clock.
    public static let tolerance: TimeInterval = 300

    /// The string that is signed: the timestamp, `.`, and the body.
    public static func signedBytes(timestamp: Int, body: some Collection<UInt8>) -> [UInt8] {
        Array("\(timestamp).".utf8) + Array(body)
    }

    /// The `X-Gridbook-Signature` value for a body sent at `timestamp`.
    public static func signature(timestamp: Int, body: some Collection<UInt8>, secret: String) -> String {
        let code = HMAC<Crypto.SHA256>.authenticationCode(for: signedBytes(timestamp: timestamp, body: body), using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a delivery is genuine and fresh: the signature matches (compared in constant time)
    /// and the timestamp is within ``tolerance`` of `now`. What a receiver does first.
    public static func verify(body: some Collection<UInt8>, timestamp: String, signature: String, secret: String, now: Date) -> Bool {
        guard let seconds = Int(timestamp), abs(now.timeIntervalSince1970 - TimeInterval(seconds)) <= tolerance,
              signature.hasPrefix("sha256="), let code = hexBytes(signature.dropFirst("sha256=".count))
        else { return false }
        return HMAC<Crypto.SHA256>.isValidAuthenticationCode(code, authenticating: signedBytes(timestamp: seconds, body: body),
                                                      using: SymmetricKey(data: Array(secret.utf8)))
    }

    /// The bytes of lowercase or uppercase hexadecimal text, or nil when it is not that.
    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// The value of one hexadecimal digit.
    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
