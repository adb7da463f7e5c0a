import GRDB

/// Why the database cannot be used just now, though nothing is wrong with the request: another
/// write holds it, its disk is full, it is read-only here, or its storage fails. Nothing was
/// written (SQLite rolled the transaction back); the same request may succeed later. The API
/// answers 503 with `Retry-After`; the command line prints ``description`` on one line.
public enum StorageTrouble: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another connection (an import, another process) held the write lock past the wait.
    case busy
    /// The disk (or the file's size limit) is full.
    case full
    /// The file, its directory or the connection is read-only.
    case readOnly
    /// Reading or writing the file failed (an I/O error, a file that cannot be opened).
    case failing

    /// The trouble behind a database error, or nil when the error is of another kind (a
    /// constraint, a bug, a corrupt file).
    public init?(_ error: any Error) {
        if let trouble = error as? StorageTrouble {
            self = trouble
            return
        }
        guard let error = error as? DatabaseError else { return nil }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: self = .busy
        case .SQLITE_FULL: self = .full
        case .SQLITE_READONLY: self = .readOnly
        case .SQLITE_IOERR, .SQLITE_CANTOPEN: self = .failing
        default: return nil
        }
    }

    /// A code for machines (the API error body's `code`).
    public var code: String {
        switch self {
        case .busy: "busy"
        case .full: "storage_full"
        case .readOnly: "read_only"
        case .failing: "storage_failing"
        }
    }

    /// Seconds after which trying again makes sense.
    public var retryAfterSeconds: Int {
        switch self {
        case .busy: 2
        case .full, .readOnly, .failing: 60
        }
    }

    public var description: String {
        switch self {
        case .busy: "the database is busy with another write (an import?); nothing was written, try again in a moment"
        case .full: "the disk holding the database is full; nothing was written: free space and try again"
        case .readOnly: "the database is read-only here; nothing was written: check the file's and its directory's permissions"
        case .failing: "the database's storage failed (an I/O error); nothing was written: check the disk"
        }
    }
}
