import GRDB
import Synchronization

/// The schedule inputs of small units (a grid, a village), kept while the database is
/// unchanged: a grid member's due list and household pages are read far more often than
/// visits are written.
///
/// An entry belongs to one connection and is good while that connection sees the same
/// database: SQLite's `data_version` changes whenever another connection (this process's
/// writer, or another process) commits, and the connection's own change count whenever it
/// writes itself (a single-connection database). Any write anywhere therefore retires every
/// entry; nothing is ever served from before a change. Connections are told apart by
/// identity: the cache lives exactly as long as its database's connections, which GRDB keeps
/// open for the pool's lifetime on Linux (it closes idle readers only on `releaseMemory()`,
/// which Gridbook never calls).
final class ScheduleCache: Sendable {
    private struct Key: Hashable {
        let connection: ObjectIdentifier
        let unit: String
        let asOf: LocalDate
    }

    private struct Entry {
        let dataVersion: Int64
        let changes: Int
        let inputs: [ScheduleInput]
    }

    /// Units with more households than this are not kept (a township's or the county's).
    static let maxHouseholds = 2_000
    /// Households kept at most, over all entries (about 15 MB); the cache starts over when full.
    static let capacity = 100_000

    private struct State {
        var entries: [Key: Entry] = [:]
        var households = 0
    }

    private let state = Mutex(State())

    /// ``Schedule/inputs(_:under:asOf:)``, from the cache when the database is unchanged.
    func inputs(_ db: Database, under unit: Unit, asOf: LocalDate) throws -> [ScheduleInput] {
        let dataVersion = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
        let changes = db.totalChangesCount
        let key = Key(connection: ObjectIdentifier(db), unit: unit.code, asOf: asOf)
        if let entry = state.withLock({ $0.entries[key] }), entry.dataVersion == dataVersion, entry.changes == changes {
            return entry.inputs
        }
        let inputs = try Schedule.inputs(db, under: unit, asOf: asOf)
        if inputs.count <= Self.maxHouseholds {
            state.withLock { state in
                // An entry counts at least one, so that empty units cannot pile up without end.
                let size = max(1, inputs.count)
                if state.households + size > Self.capacity { state = State() }
                state.households += size - (state.entries[key].map { max(1, $0.inputs.count) } ?? 0)
                state.entries[key] = Entry(dataVersion: dataVersion, changes: changes, inputs: inputs)
            }
        }
        return inputs
    }
}
