import GridbookCore

/// JSON text may spell a NUL character (`\u0000`) inside a string, and Swift decodes it; SQLite
/// would then store the text cut short at it (GRDB binds text as C strings) or refuse it in a
/// CHECK, and no Chinese name, address or note holds one. A body with one is refused, naming
/// the field it sits in.
enum NULCheck {
    /// The key of the field whose text (or name) holds `\u0000`, or nil when none does.
    static func field(in body: some Collection<UInt8>) -> String? {
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
}
