import GridbookCore

/// A `multipart/form-data` body (RFC 7578), as clients that can attach a photo post a service
/// request: its text fields, read as the form's are. A file part (one with a `filename`) is passed
/// over: a request's media is taken as `media_url`, never stored.
enum Open311Multipart {
    /// The body's text fields in order; 400 for a body that is not multipart with this boundary,
    /// or a field whose value is not UTF-8 (GB18030 when its part says so).
    static func fields(_ body: [UInt8], boundary: String) throws -> [(name: String, value: String)] {
        let delimiter = Array("--\(boundary)".utf8)
        let notMultipart = Open311Error(.badRequest, "the body is not multipart/form-data with the boundary its Content-Type names")
        guard !boundary.isEmpty, boundary.utf8.count <= 70 else { throw notMultipart }
        // The first delimiter starts the body or a line of it (after a preamble).
        guard var start = body.starts(with: delimiter) ? 0 : find(crlf + delimiter, in: body, from: 0).map({ $0 + 2 }) else {
            throw notMultipart
        }
        var fields: [(name: String, value: String)] = []
        while true {
            var position = start + delimiter.count
            // "--" after a delimiter ends the body.
            if body.count >= position + 2, body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-") { return fields }
            // Transport padding (spaces and tabs), then the line's end.
            while position < body.count, body[position] == UInt8(ascii: " ") || body[position] == UInt8(ascii: "\t") { position += 1 }
            guard body.count >= position + 2 else { break }
            guard body[position] == 13, body[position + 1] == 10 else { throw notMultipart }
            let headersStart = position + 2
            // The part runs to the next delimiter; its headers end at a blank line before it.
            guard let next = find(crlf + delimiter, in: body, from: headersStart - 2) else { break }
            guard let headersEnd = find(crlf + crlf, in: body, from: headersStart - 2), headersEnd + 4 <= next else {
                throw Open311Error(.badRequest, "a part of the body has no blank line after its headers")
            }
            let headers = String(decoding: body[headersStart..<max(headersStart, headersEnd)], as: UTF8.self)
            let content = Array(body[(headersEnd + 4)..<next])
            start = next + 2
            let part = Part(headers: headers)
            guard let name = part.name else {
                throw Open311Error(.badRequest, "a part of the body has no Content-Disposition: form-data; name=\"…\"")
            }
            if part.isFile { continue }
            guard let value = Open311Form.text(content, gb18030: part.isGB18030) else {
                let quoted = RecordCode.problem(name) == nil ? name : RecordCode.quoted(name)
                throw Open311Error(.badRequest, "\(quoted) is not \(part.isGB18030 ? "GB18030" : "UTF-8") text")
            }
            if !name.isEmpty { fields.append((name, value)) }
        }
        throw Open311Error(.badRequest, "the body is not multipart/form-data: it ends before its closing boundary")
    }

    /// A header's value as `key` (its first word, lower case) and `key=value` parameters (keys in
    /// lower case, values as sent, quotes taken off): a part's headers, and the request's Content-Type.
    static func parameters(_ value: String) -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        var rest = Substring(value)
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == ";" }
            let key = rest.prefix { $0 != "=" && $0 != ";" }
            rest = rest.dropFirst(key.count)
            var parameter = ""
            if rest.first == "=" {
                rest = rest.dropFirst()
                if rest.first == "\"" {
                    rest = rest.dropFirst()
                    var escaped = false
                    while let character = rest.popFirst() {
                        if escaped { parameter.append(character); escaped = false }
                        else if character == "\\" { escaped = true }
                        else if character == "\"" { break }
                        else { parameter.append(character) }
                    }
                } else {
                    parameter = String(rest.prefix { $0 != ";" })
                    rest = rest.dropFirst(parameter.count)
                }
            }
            let trimmed = key.trimmingCharacters(in: .whitespaces).lowercased()
            if !trimmed.isEmpty { result.append((trimmed, parameter.trimmingCharacters(in: .whitespaces))) }
        }
        return result
    }

    private static let crlf: [UInt8] = [13, 10]

    /// The first index of `needle` in `haystack` at or after `from`, or nil.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var index = max(0, from)
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// What a part's headers say: its field name, whether it is a file, its charset.
    private struct Part {
        var name: String?
        var isFile = false
        var isGB18030 = false

        init(headers: String) {
            for line in headers.split(separator: "\r\n") {
                let pieces = line.split(separator: ":", maxSplits: 1)
                guard pieces.count == 2 else { continue }
                let header = pieces[0].trimmingCharacters(in: .whitespaces).lowercased()
                let parameters = Open311Multipart.parameters(String(pieces[1]))
                if header == "content-disposition", parameters.first?.key == "form-data" {
                    name = parameters.first { $0.key == "name" }?.value
                    isFile = parameters.contains { $0.key == "filename" || $0.key == "filename*" }
                } else if header == "content-type" {
                    isGB18030 = Open311Form.isGB18030(charset: parameters.first { $0.key == "charset" }?.value)
                }
            }
        }
    }
}
