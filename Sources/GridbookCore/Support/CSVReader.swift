import Foundation

/// A malformed CSV record: the line it starts on and what is wrong.
public struct CSVSyntaxError: Error, Equatable, Sendable {
    /// The line (1-based) the record starts on.
    public let line: Int
    /// What is wrong, in words.
    public let problem: String
}

/// Reads RFC 4180 CSV from UTF-8 bytes, one record at a time, without a copy per field.
///
/// Fields may be quoted; quoted fields may hold commas, doubled quotes and line breaks.
/// Records end with LF, CRLF or CR. Blank lines are skipped. Each record knows the line it
/// starts on, so that errors can be reported as `FILE:LINE`.
/// (Written here rather than taken from a CSV package: the importer needs exact line numbers
/// and byte-level field access to read millions of visits quickly.)
public struct CSVReader: Sendable {
    /// Where the text is: an array, or a mapped file (from an offset: past a byte-order mark)
    /// whose pages are given back behind the reader.
    private enum Storage: Sendable {
        case array([UInt8])
        case mapped(FileMapping, start: Int)
    }

    private let storage: Storage
    /// Where the pages before the reader were last given back.
    private var releasedAt = 0
    /// The byte between fields: a comma, or a tab for Excel's "Unicode text" export.
    private let delimiter: UInt8
    private var position = 0
    private var nextLine = 1
    /// The unescaped bytes of the current record's fields, one after another.
    private var fieldBytes: [UInt8] = []
    /// Where each field of the current record ends in `fieldBytes`.
    private var fieldEnds: [Int] = []

    /// The line (1-based) on which the current record starts.
    public private(set) var line = 0

    /// Creates a reader over UTF-8 text whose fields are separated by `delimiter` (a comma).
    public init(utf8 bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ",")) {
        self.storage = .array(bytes)
        self.delimiter = delimiter
        fieldBytes.reserveCapacity(1024)
        fieldEnds.reserveCapacity(16)
    }

    /// A reader over the UTF-8 text of a mapped file from `start`, giving its pages back as it
    /// goes: a file of any size is read in bounded memory.
    init(mapped file: FileMapping, start: Int, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.storage = .mapped(file, start: start)
        self.delimiter = delimiter
        fieldBytes.reserveCapacity(1024)
        fieldEnds.reserveCapacity(16)
    }

    /// The size of the input in bytes.
    public var byteCount: Int {
        switch storage {
        case .array(let bytes): bytes.count
        case .mapped(let file, let start): file.count - start
        }
    }


    /// Before another pass over a mapped file, by a copy of this reader made before the first:
    /// lets the pages that pass reads be given back again (``FileMapping/rewind()``).
    func rewindPageRelease() {
        if case .mapped(let file, _) = storage { file.rewind() }
    }

    /// The number of fields in the current record.
    public var fieldCount: Int { fieldEnds.count }

    /// How far through the input the reader is, from 0 to 1.
    public var progress: Double { byteCount == 0 ? 1 : Double(position) / Double(byteCount) }

    /// The current record's field at `index` as a string, or "" when the record is shorter.
    public func string(_ index: Int) -> String {
        guard index < fieldEnds.count else { return "" }
        let start = index == 0 ? 0 : fieldEnds[index - 1]
        return String(decoding: fieldBytes[start..<fieldEnds[index]], as: UTF8.self)
    }

    /// Calls `body` with the bytes of the current record's field at `index` (empty when the record is shorter).
    public func withField<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        guard index < fieldEnds.count else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let start = index == 0 ? 0 : fieldEnds[index - 1]
        let end = fieldEnds[index]
        return try fieldBytes.withUnsafeBufferPointer { buffer in
            try body(UnsafeBufferPointer(rebasing: buffer[start..<end]))
        }
    }

    /// The current record's fields as strings.
    public var fields: [String] { (0..<fieldCount).map(string) }

    /// Moves to the next non-blank record; false at the end of the input.
    public mutating func next() throws(CSVSyntaxError) -> Bool {
        while true {
            guard position < byteCount else {
                // At the end: what is left of a mapped file goes back too.
                if case .mapped(let file, _) = storage { file.release(upTo: file.count) }
                return false
            }
            let (newPosition, newLine, error) = switch storage {
            case .array(let bytes): bytes.withUnsafeBufferPointer { readRecord($0, from: position, line: nextLine) }
            case .mapped(let file, let start): readRecord(UnsafeBufferPointer(rebasing: file.buffer[start...]), from: position, line: nextLine)
            }
            line = nextLine
            position = newPosition
            nextLine = newLine
            // Every record's fields are copied out: what lies behind the reader is not read again.
            if case .mapped(let file, let start) = storage, position - releasedAt >= FileMapping.releaseEvery {
                file.release(upTo: start + position)
                releasedAt = position
            }
            if let error { throw CSVSyntaxError(line: line, problem: error) }
            // SQLite would keep a NUL in some columns and cut the text short at it in others.
            if fieldBytes.withUnsafeBufferPointer({ buffer in buffer.baseAddress.map { memchr($0, 0, buffer.count) != nil } ?? false }) {
                throw CSVSyntaxError(line: line, problem: "holds a NUL byte (0x00), which is not text (a UTF-16 file saved without its byte-order mark, or not a text file?)")
            }
            // Blank lines, and rows of nothing but commas that spreadsheets leave below the data.
            if isBlankRecord { continue }
            return true
        }
    }

    /// Whether the current record's bytes hold `needle` anywhere, across its fields: a quick test
    /// (`memchr` for its first byte over the record) before a closer look at each field.
    func recordContains(_ needle: [UInt8]) -> Bool {
        fieldBytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, let first = needle.first else { return false }
            var offset = 0
            while offset < buffer.count, let found = memchr(base + offset, Int32(first), buffer.count - offset) {
                let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if buffer[index...].starts(with: needle) { return true }
                offset = index + 1
            }
            return false
        }
    }

    /// Whether every field of the current record is empty or spaces.
    private var isBlankRecord: Bool {
        fieldBytes.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    private mutating func readRecord(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, line startLine: Int) -> (Int, Int, String?) {
        let comma = delimiter, quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        fieldBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        var index = start
        var line = startLine
        let count = buffer.count
        while true {
            // At the start of a field.
            if index < count && buffer[index] == quote {
                index += 1
                var closed = false
                while index < count {
                    let byte = buffer[index]
                    if byte == quote {
                        if index + 1 < count && buffer[index + 1] == quote {
                            fieldBytes.append(quote)
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    if byte == lf || (byte == cr && (index + 1 >= count || buffer[index + 1] != lf)) { line += 1 }
                    fieldBytes.append(byte)
                    index += 1
                }
                if !closed {
                    fieldEnds.append(fieldBytes.count)
                    return (count, line, "a quoted field is not closed (missing \")")
                }
                if index < count && buffer[index] != comma && buffer[index] != lf && buffer[index] != cr {
                    // Text after a closing quote: skip to the end of the record so reading can go on.
                    while index < count && buffer[index] != lf && buffer[index] != cr { index += 1 }
                    let (after, nextLine) = Self.skipLineEnd(buffer, index, line)
                    fieldEnds.append(fieldBytes.count)
                    return (after, nextLine, "text after a closing quote (a quote inside a field must be doubled)")
                }
            } else {
                while index < count {
                    let byte = buffer[index]
                    if byte == comma || byte == lf || byte == cr { break }
                    fieldBytes.append(byte)
                    index += 1
                }
            }
            fieldEnds.append(fieldBytes.count)
            if index >= count { return (count, line + 1, nil) }
            if buffer[index] == comma {
                index += 1
                continue
            }
            let (after, nextLine) = Self.skipLineEnd(buffer, index, line)
            return (after, nextLine, nil)
        }
    }

    private static func skipLineEnd(_ buffer: UnsafeBufferPointer<UInt8>, _ index: Int, _ line: Int) -> (Int, Int) {
        guard index < buffer.count else { return (index, line + 1) }
        if buffer[index] == UInt8(ascii: "\r") && index + 1 < buffer.count && buffer[index + 1] == UInt8(ascii: "\n") {
            return (index + 2, line + 1)
        }
        return (index + 1, line + 1)
    }
}
