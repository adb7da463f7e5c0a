import Foundation
import GridbookCore
import Hummingbird

/// GeoReport v2's two formats. XML is the one the specification requires; JSON is offered too.
package enum Open311Format: String, Sendable {
    case xml, json

    /// The format a resource name asks for (`services.json`) and the name without it; nil for
    /// a name without a known format.
    static func split(_ file: String) -> (name: String, format: Open311Format)? {
        guard let dot = file.lastIndex(of: "."), let format = Open311Format(rawValue: String(file[file.index(after: dot)...]).lowercased())
        else { return nil }
        return (String(file[..<dot]), format)
    }

    var contentType: String {
        switch self {
        case .xml: "text/xml; charset=utf-8"
        case .json: "application/json; charset=utf-8"
        }
    }
}

/// A GeoReport v2 answer, written once and rendered in either format: XML with the
/// specification's root and element names in its order, JSON with lists as bare arrays.
package indirect enum Open311Node: Equatable, Sendable {
    /// Text, or nil (JSON `null`, an empty XML element).
    case text(String?)
    /// A number as written, or nil.
    case number(String?)
    case bool(Bool)
    /// A list of objects: XML wraps each in an element named `item`.
    case objects(item: String, [Open311Object])
    /// A list of texts: XML wraps each in an element named `item`.
    case texts(item: String, [String])
}

/// An object's fields, in the order the specification lists them.
package struct Open311Object: Equatable, Sendable {
    package var fields: [(String, Open311Node)]

    package init(_ fields: [(String, Open311Node)]) { self.fields = fields }

    package static func == (lhs: Open311Object, rhs: Open311Object) -> Bool {
        lhs.fields.map(\.0) == rhs.fields.map(\.0) && lhs.fields.map(\.1) == rhs.fields.map(\.1)
    }
}

/// A whole answer: a list (`services/service`, `service_requests/request`, `errors/error`) or
/// one object (`service_definition`, `discovery`), under its XML root.
package struct Open311Document: Sendable {
    let root: String
    let body: Open311Node

    /// A list answer: `<root><item>…</item>…</root>`, or a bare JSON array.
    package static func list(_ root: String, item: String, _ objects: [Open311Object]) -> Open311Document {
        Open311Document(root: root, body: .objects(item: item, objects))
    }

    /// An object answer: `<root>…</root>`, or a JSON object.
    package static func object(_ root: String, _ object: Open311Object) -> Open311Document {
        Open311Document(root: root, body: .objects(item: "", [object]))
    }

    /// The answer's text in a format.
    package func rendered(_ format: Open311Format) -> String {
        guard case .objects(let item, let objects) = body else { return "" }
        switch format {
        case .json:
            var out = ""
            if item.isEmpty, let object = objects.first { Self.json(object, into: &out) } else { Self.json(body, into: &out) }
            return out
        case .xml:
            var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(root)>"
            if item.isEmpty, let object = objects.first { Self.xml(object, into: &out) } else { Self.xml(body, into: &out) }
            return out + "</\(root)>\n"
        }
    }

    /// The response: the document in the format, with its status.
    package func response(_ format: Open311Format, status: HTTPResponse.Status = .ok) -> Response {
        let bytes = ByteBuffer(string: rendered(format))
        return Response(status: status, headers: [.contentType: format.contentType, .contentLength: String(bytes.readableBytes)],
                        body: .init(byteBuffer: bytes))
    }

    private static func json(_ object: Open311Object, into out: inout String) {
        out += "{"
        for (index, (name, node)) in object.fields.enumerated() {
            if index > 0 { out += "," }
            out += jsonString(name) + ":"
            json(node, into: &out)
        }
        out += "}"
    }

    private static func json(_ node: Open311Node, into out: inout String) {
        switch node {
        case .text(let text): out += text.map(jsonString) ?? "null"
        case .number(let number): out += number ?? "null"
        case .bool(let value): out += value ? "true" : "false"
        case .objects(_, let objects):
            out += "["
            for (index, object) in objects.enumerated() {
                if index > 0 { out += "," }
                json(object, into: &out)
            }
            out += "]"
        case .texts(_, let texts): out += "[" + texts.map(jsonString).joined(separator: ",") + "]"
        }
    }

    private static func xml(_ object: Open311Object, into out: inout String) {
        for (name, node) in object.fields {
            out += "<\(name)>"
            xml(node, into: &out)
            out += "</\(name)>"
        }
    }

    private static func xml(_ node: Open311Node, into out: inout String) {
        switch node {
        case .text(let text): out += text.map(xmlText) ?? ""
        case .number(let number): out += number ?? ""
        case .bool(let value): out += value ? "true" : "false"
        case .objects(let item, let objects):
            for object in objects {
                out += "<\(item)>"
                xml(object, into: &out)
                out += "</\(item)>"
            }
        case .texts(let item, let texts):
            for text in texts { out += "<\(item)>\(xmlText(text))</\(item)>" }
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as is.
    package static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Text as XML character data: markup characters escaped, characters XML 1.0 cannot carry left out.
    package static func xmlText(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t": continue
            case _ where scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// A GeoReport v2 error: its status and description, answered as `errors/error` in the format
/// the request asked for (`[{"code": 404, "description": "…"}]` in JSON).
package struct Open311Error: Error, Sendable {
    package let status: HTTPResponse.Status
    package let description: String
    /// Seconds to send as `Retry-After` (a database that is busy, full or read-only).
    package let retryAfter: Int?

    package init(_ status: HTTPResponse.Status, _ description: String, retryAfter: Int? = nil) {
        self.status = status
        self.description = description
        self.retryAfter = retryAfter
    }

    /// The error answer in a format.
    func response(_ format: Open311Format) -> Response {
        var response = Open311Document.list("errors", item: "error", [
            Open311Object([("code", .number(String(status.code))), ("description", .text(description))]),
        ]).response(format, status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}
