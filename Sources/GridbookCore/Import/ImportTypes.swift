import Foundation
import Logging

/// One bad row (or header) of a seed file: `FILE:LINE: column: problem`.
public struct ImportProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    /// The column at fault, or `-` for the row as a whole.
    public var column: String
    public var problem: String

    /// Creates a problem report.
    public init(file: String, line: Int, column: String, problem: String) {
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem
    }

    public var description: String { "\(file):\(line): \(column): \(problem)" }
}

/// An import that wrote nothing because some rows were bad.
public struct ImportFailure: Error, Sendable, CustomStringConvertible {
    /// The bad rows, in file order (at most `ImportOptions.maxProblems`).
    public var problems: [ImportProblem]
    /// More problems were found than are listed.
    public var truncated: Bool

    public var description: String {
        var lines = problems.map(\.description)
        if truncated { lines.append("(stopped after \(problems.count) problems)") }
        lines.append("import failed: nothing was written")
        return lines.joined(separator: "\n")
    }
}

/// How an import reads its files.
public struct ImportOptions: Sendable {
    /// The files' encoding; `.auto` detects UTF-8 or GB18030 per file.
    public var encoding: TextEncoding = .auto
    /// Stop after this many problems.
    public var maxProblems = 50
    /// The current time, when not the database's clock: visits after it (plus a few minutes) are refused.
    public var now: Date?
    /// Called as the import goes, with what it is doing (`reading visits.csv`, `indexing visits`)
    /// and the share of that step done (0 to 1).
    public var progress: (@Sendable (String, Double, Int?) -> Void)?
    /// Where the import says what it did with each file (at debug level) and why it failed.
    public var logger = Logger(label: "gridbook.import")
    /// Who is importing, for the audit log.
    public var actor = Actor.system

    /// Options for an import; the defaults detect the encoding, stop at 50 problems and take the database's clock.
    public init(encoding: TextEncoding = .auto, maxProblems: Int = 50, now: Date? = nil,
                progress: (@Sendable (String, Double, Int?) -> Void)? = nil) {
        self.encoding = encoding
        self.maxProblems = maxProblems
        self.now = now
        self.progress = progress
    }
}

/// What an import did to one file's records.
public struct ImportFileSummary: Equatable, Sendable {
    public var file: String
    public var encoding: String
    public var rows = 0
    public var added = 0
    public var updated = 0
    public var unchanged: Int { rows - added - updated }
    /// The file's fingerprint (its size and a 64-bit hash of its bytes) and the encoding it was
    /// read in, kept after an import so that the same visit log is not read again.
    public var digest: String?
    /// Whether the file was skipped: the visit log, unchanged since its last import.
    public var skipped = false
}

/// What an import did, file by file, in the order the files were read.
public struct ImportSummary: Equatable, Sendable {
    public var files: [ImportFileSummary] = []
    /// The fingerprints of the files read, by seed file (`visits.csv`), to keep once the import succeeds.
    var digests: [String: String] = [:]

    /// Whether the import changed anything.
    public var changedAnything: Bool { files.contains { $0.added + $0.updated > 0 } }

    /// What the audit log says of the import.
    var auditDetail: String {
        files.map { $0.skipped ? "\($0.file): unchanged, skipped" : "\($0.file): \($0.rows) rows, \($0.added) added, \($0.updated) updated" }
            .joined(separator: "; ")
    }
}

/// The seed files, in the order they are read (each may refer to the ones before it).
public enum SeedFileName: String, CaseIterable, Sendable {
    case issueCategories = "issue_categories.csv"
    /// The work calendar's public holidays and make-up working days (`date,kind,name`).
    case holidays = "holidays.csv"
    case categories = "categories.csv"
    case units = "units.csv"
    case people = "people.csv"
    case duties = "duties.csv"
    case partyGroups = "party_groups.csv"
    case households = "households.csv"
    case visits = "visits.csv"

    /// The name without its extension (`units`): the file may also be `units.txt` or `units.xlsx`.
    var stem: String { String(rawValue.dropLast(".csv".count)) }

    /// The names the file may have, one for each form (`units.csv`, `units.txt`, `units.xlsx`).
    var fileNames: [String] { SeedFile.extensions.map { stem + "." + $0 } }

    /// The files this file's rows refer to, directly or through another file: when one of them
    /// cannot be read, this file's rows are not checked (each would be reported for a reference
    /// to what could not be read, burying the one real problem).
    var dependencies: Set<SeedFileName> {
        switch self {
        case .issueCategories, .holidays, .categories, .units, .people: []
        case .duties, .partyGroups: [.units, .people]
        case .households: [.units, .categories]
        case .visits: [.units, .categories, .households, .people]
        }
    }

    /// The columns of the file (SPEC section 4), and which of them must be in the header.
    var columns: (all: [String], required: [String]) {
        switch self {
        case .issueCategories: (["code", "label", "kind"], ["code", "label", "kind"])
        case .holidays: (["date", "kind", "name"], ["date", "kind"])
        case .categories: (["code", "label", "interval_days"], ["code", "interval_days"])
        case .units: (["code", "name", "level", "parent_code"], ["code", "name", "level", "parent_code"])
        case .people: (["id", "name", "phone", "id_number"], ["id", "name"])
        case .duties: (["person_id", "role", "unit_code", "since", "until"], ["person_id", "role", "unit_code", "since"])
        case .partyGroups: (["code", "name", "leader_id", "grid_codes", "member_ids"], ["code", "name", "grid_codes"])
        case .households:
            (["code", "grid_code", "block_code", "address", "head_name", "phone", "members", "tags", "registered_on"],
             ["code", "grid_code", "registered_on"])
        case .visits:
            (["id", "household_code", "visitor_id", "visited_at", "method", "outcome", "note"],
             ["id", "household_code", "visitor_id", "visited_at", "method", "outcome"])
        }
    }
}

/// The value of an enum a seed field spells, or what is wrong with it (the same words in every file).
func parseChoice<T: RawRepresentable & CaseIterable>(_ value: String, as type: T.Type) -> Result<T, ImportFieldProblem>
where T.RawValue == String {
    guard !value.isEmpty else { return .failure(ImportFieldProblem(text: "is empty")) }
    guard let parsed = T(rawValue: value) else {
        return .failure(ImportFieldProblem(text: "\(value) is not one of \(T.allCases.map(\.rawValue).joined(separator: "|"))"))
    }
    return .success(parsed)
}

/// What is wrong with one field.
struct ImportFieldProblem: Error {
    let text: String
}
