import GridbookCore
import Hummingbird

/// JSON text may spell a NUL character (`\u0000`) inside a string, and Swift decodes it; SQLite
/// would then store the text cut short at it (GRDB binds text as C strings) or refuse it in a
/// CHECK, and no Chinese name, address or note holds one. A body with one is refused, naming
/// the field it sits in.
enum NULCheck {
    /// The key of the field whose text (or name) holds `\u0000`, or nil when none does.
    static func field(in body: some Collection<UInt8>) -> String? {
        // Nearly every body spells none: found in one pass over the bytes, with no string made.
        guard spellsNUL(body) else { return nil }
        let backslash = UInt8(ascii: "\\"), quote = UInt8(ascii: "\""), colon = UInt8(ascii: ":")
        var inString = false
        var stringStart = body.startIndex
        var holdsNUL = false
        var lastKey = ""
        var index = body.startIndex
        while index != body.endIndex {
            let byte = body[index]
            if inString {
                if byte == backslash {
                    let next = body.index(after: index)
                    guard next != body.endIndex else { return nil }
                    if body[next] == UInt8(ascii: "u"), body[body.index(after: next)...].prefix(4).elementsEqual("0000".utf8) {
                        holdsNUL = true
                    }
                    index = body.index(after: next)
                    continue
                }
                if byte == quote {
                    inString = false
                    let text = String(decoding: body[stringStart..<index], as: UTF8.self)
                    // A string followed by a colon is a key.
                    let after = body[body.index(after: index)...].first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
                    if after == colon {
                        if holdsNUL {
                            let key = text.replacingOccurrences(of: "\\u0000", with: "")
                            return key.isEmpty ? "body" : key
                        }
                        lastKey = text
                    } else if holdsNUL {
                        return lastKey.isEmpty ? "body" : lastKey
                    }
                }
            } else if byte == quote {
                inString = true
                holdsNUL = false
                stringStart = body.index(after: index)
            }
            index = body.index(after: index)
        }
        return nil
    }

    /// Whether `\u0000` appears anywhere in the bytes.
    static func spellsNUL(_ body: some Collection<UInt8>) -> Bool {
        let bytes = Array(body), pattern = Array("\\u0000".utf8)
        guard bytes.count >= pattern.count else { return false }
        for index in 0...(bytes.count - pattern.count) where bytes[index] == pattern[0] {
            if bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return true }
        }
        return false
    }
}

/// Refuses an address holding `%00`: GRDB would bind the text cut short at the NUL, and
/// `/api/v1/units/G1%00X` would answer for G1. In the path it names a record that cannot exist
/// (404); in the query, a parameter's value is refused (400 naming it).
struct NULInAddressMiddleware: RouterMiddleware {
    typealias Context = GridbookRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.contains("%00") || request.uri.path.contains("\u{0}") {
            throw APIError(.notFound, code: "not_found", message: "there is nothing at an address holding a NUL character (%00)")
        }
        if request.uri.query?.contains("%00") == true {
            let name = request.uri.queryParameters.first { $0.value.contains("\u{0}") || $0.value.contains("%00") }.map { String($0.key) }
            throw GridbookError.invalid(field: name ?? "query", problem: "holds a NUL character (%00)")
        }
        if let query = request.uri.query, let name = Self.parameterNotUTF8(query) {
            throw GridbookError.invalid(field: name, problem: "is not percent-encoded UTF-8 text")
        }
        return try await next(request, context)
    }

    /// The name of the first query parameter whose value, percent-decoded, is not UTF-8 (`%FF`,
    /// or GB18030 bytes a Chinese client sent as they were): it would be read with U+FFFD in
    /// place of each bad byte, and answered or stored so. Nil when every value is UTF-8.
    static func parameterNotUTF8(_ query: String) -> String? {
        // Only an escape of a byte past ASCII can break UTF-8 (the query's own text is a String).
        guard query.utf8.contains(UInt8(ascii: "%")) else { return nil }
        for pair in query.utf8.split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, String(validating: percentDecoded(parts[1]), as: UTF8.self) == nil else { continue }
            let name = percentDecoded(parts[0])
            return String(validating: name, as: UTF8.self) ?? "query"
        }
        return nil
    }

    /// Bytes with `%XX` escapes (and `+` left as it is) decoded.
    private static func percentDecoded(_ bytes: Substring.UTF8View.SubSequence) -> [UInt8] {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), let high = bytes.index(index, offsetBy: 1, limitedBy: bytes.endIndex), high != bytes.endIndex,
               let low = bytes.index(index, offsetBy: 2, limitedBy: bytes.endIndex), low != bytes.endIndex,
               let value = UInt8(String(decoding: [bytes[high], bytes[low]], as: UTF8.self), radix: 16) {
                decoded.append(value)
                index = bytes.index(after: low)
            } else {
                decoded.append(byte)
                index = bytes.index(after: index)
            }
        }
        return decoded
    }
}
