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
        return try await next(request, context)
    }
}
