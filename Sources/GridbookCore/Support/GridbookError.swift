/// A request Gridbook refuses, in words a user can act on. The CLI prints it; the API maps it
/// to a status code.
public enum GridbookError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Something named does not exist (`unit 123`).
    case notFound(String)
    /// A value is wrong: the field, and what is wrong with it.
    case invalid(field: String, problem: String)
    /// The request clashes with what is stored.
    case conflict(String)
    /// The person may not do this (no duty, wrong role, outside their units).
    case notAllowed(String)

    public var description: String {
        switch self {
        case .notFound(let what): "unknown \(what)"
        case .invalid(let field, let problem): "\(field): \(problem)"
        case .conflict(let what): what
        case .notAllowed(let why): why
        }
    }
}
