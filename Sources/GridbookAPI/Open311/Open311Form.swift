import Foundation
import GridbookCore
import Hummingbird

/// The body of `POST requests`: `application/x-www-form-urlencoded`, read as GeoReport v2 names
/// its fields, with `attribute[CODE]=…` and a multivaluelist's repeated `attribute[CODE][]=…`.
/// Its text is UTF-8 whatever charset the type names ("all data received will be assumed to be
/// UTF-8", GeoReport v2: Java's form entity names ISO-8859-1 by default), except a Chinese one
/// (`charset=GB18030`, `GBK`, `GB2312`), which is read as GB18030. Anything that is not such a
/// body is a 400 naming what is wrong. A `multipart/form-data` body (a client that can attach a
/// photo) gives the same fields (``Open311Multipart``).
struct Open311Form {
    /// The fields in the order sent: names and values percent-decoded, `+` as a space.
    let fields: [(name: String, value: String)]

    /// Reads the request's body (at most the context's upload limit: 413 beyond it).
    init(_ request: Request, context: some RequestContext) async throws {
        let sent = request.headers[.contentType] ?? ""
        // The type and its parameters, read as a part's headers are (the boundary keeps its case).
        let parameters = Open311Multipart.parameters(sent)
        let type = parameters.first?.key ?? ""
        func parameter(_ name: String) -> String? { parameters.dropFirst().first { $0.key == name }?.value }
        var request = request
        if type == "multipart/form-data" {
            let buffer = try await request.collectBody(upTo: context.maxUploadSize)
            self.init(fields: try Open311Multipart.fields(Array(buffer.readableBytesView), boundary: parameter("boundary") ?? ""))
            return
        }
        guard type == "application/x-www-form-urlencoded" else {
            throw Open311Error(.badRequest, "the body must be application/x-www-form-urlencoded; charset=utf-8, not \(sent.isEmpty ? "nothing" : sent.lowercased())")
        }
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        try self.init(body: buffer.readableBytesView, gb18030: Self.isGB18030(charset: parameter("charset")))
    }

    /// Whether a charset names a Chinese encoding (`GB18030`, `GBK`, `GB2312`): text read as
    /// GB18030; any other, or none, is UTF-8.
    static func isGB18030(charset: String?) -> Bool {
        charset.flatMap(TextEncoding.init(name:)) == .gb18030
    }

    /// Bytes as text: GB18030 when `gb18030`, else UTF-8; nil when they are not that.
    static func text(_ bytes: [UInt8], gb18030: Bool) -> String? {
        guard gb18030 else { return String(validating: bytes, as: UTF8.self) }
        return (try? TextDecoding.transcode(bytes, from: "GB18030")).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// A form of these fields.
    init(fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    /// Reads a form's bytes. They are split at `&` and `=` and percent-decoded first, and only
    /// then read as UTF-8 (or GB18030, `gb18030`): a raw byte that is not (a GB18030 body sent
    /// as is, naming no charset) is refused as a percent-encoded one is, naming its field, never
    /// read as U+FFFD.
    init(body: some Collection<UInt8>, gb18030: Bool = false) throws {
        let encoding = gb18030 ? "GB18030" : "UTF-8"
        var fields: [(name: String, value: String)] = []
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let halves = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(halves[0], gb18030: gb18030) else {
                throw Open311Error(.badRequest, "the body is not a form: a field's name is not percent-encoded \(encoding)")
            }
            guard let value = halves.count > 1 ? Self.decode(halves[1], gb18030: gb18030) : "" else {
                throw Open311Error(.badRequest, "\(RecordCode.problem(name) == nil ? name : RecordCode.quoted(name)) is not percent-encoded \(encoding) text")
            }
            guard !name.isEmpty else { continue }
            fields.append((name, value))
        }
        self.fields = fields
    }

    /// `+` as a space, `%XX` as the byte; nil for a bad escape or bytes that are not UTF-8
    /// (GB18030 text when `gb18030`).
    static func decode(_ text: some Collection<UInt8>, gb18030: Bool = false) -> String? {
        var bytes: [UInt8] = []
        var rest = text[...]
        while let byte = rest.popFirst() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = rest.popFirst().flatMap(Self.hexValue), let low = rest.popFirst().flatMap(Self.hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return Self.text(bytes, gb18030: gb18030)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A field sent at most once: its value trimmed, nil when absent or empty (an empty
    /// parameter is an absent one); 400 when sent twice.
    func single(_ name: String) throws -> String? {
        let values = fields.filter { $0.name == name }.map(\.value)
        guard values.count <= 1 else { throw Open311Error(.badRequest, "\(name) is given \(values.count) times") }
        let value = values.first?.trimmingCharacters(in: .whitespacesAndNewlines)
        return value?.isEmpty == false ? value : nil
    }

    /// A coordinate field, or nil; 400 when it is not a plain decimal number (`40.81`, `-7`,
    /// `.5`: no hexadecimal, exponent, infinity or NaN, which `Double` would read).
    private func coordinate(_ name: String) throws -> Double? {
        guard let text = try single(name) else { return nil }
        guard text.wholeMatch(of: /[+\-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)/) != nil, let value = Double(text), value.isFinite else {
            throw Open311Error(.badRequest, "\(name) \(text) is not a number")
        }
        return value
    }

    /// The request the form describes; 400 for a missing service_code or a field that cannot be read.
    func submission() throws -> Open311Submission {
        guard let code = try single("service_code") else { throw Open311Error(.badRequest, "service_code is missing") }
        var submission = Open311Submission(serviceCode: code)
        submission.latitude = try coordinate("lat")
        submission.longitude = try coordinate("long")
        submission.addressString = try single("address_string")
        submission.addressId = try single("address_id")
        submission.description = try single("description")
        submission.firstName = try single("first_name")
        submission.lastName = try single("last_name")
        submission.phone = try single("phone")
        submission.email = try single("email")
        submission.deviceId = try single("device_id")
        submission.accountId = try single("account_id")
        submission.mediaURL = try single("media_url")
        var singles: Set<String> = []
        for (name, value) in fields where name.hasPrefix("attribute[") {
            let rest = name.dropFirst("attribute[".count)
            guard let close = rest.firstIndex(of: "]"), close > rest.startIndex else {
                throw Open311Error(.badRequest, "\(name) is not attribute[CODE] or attribute[CODE][]")
            }
            let code = String(rest[..<close])
            let tail = rest[rest.index(after: close)...]
            guard tail.isEmpty || tail == "[]" else { throw Open311Error(.badRequest, "\(name) is not attribute[CODE] or attribute[CODE][]") }
            if tail.isEmpty {
                guard singles.insert(code).inserted else { throw Open311Error(.badRequest, "attribute[\(code)] is given twice") }
            }
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { submission.attributes[code, default: []].append(trimmed) }
        }
        return submission
    }
}
