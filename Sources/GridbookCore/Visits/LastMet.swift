import GRDB

/// A household's latest met visit (SPEC section 3: last_met(h) = the local date of h's latest
/// visit with outcome `met` on or before D): the one definition, as SQL, used to keep
/// `households.last_met_on` and by the schedule rule for a past date.
enum LastMet {
    /// The local date of the latest `met` visit of the household whose code is `household` (an
    /// SQL expression), on or before `date` when given.
    static func sql(household: SQL, onOrBefore date: LocalDate? = nil) -> SQL {
        var conditions: SQL = "household_code = \(household) AND outcome = 'met'"
        if let date { conditions += " AND visited_on <= \(date)" }
        return "(SELECT MAX(visited_on) FROM visits WHERE \(conditions))"
    }

    /// Whether the household row `h`'s stored `last_met_on` is its latest met visit as of `date`
    /// too (no met visit after the date): then its stored dates hold, else the visit log decides.
    static func storedHolds(asOf date: LocalDate) -> SQL {
        "(h.last_met_on IS NULL OR h.last_met_on <= \(date))"
    }
}

/// Keeps every household's `last_met_on` in step with the visit log, and with it `due_on`. Only
/// a visit that met the household counts. Every write that adds or changes visits in bulk (an
/// import, a change of time zone) calls this in its transaction; a single visit calls
/// ``noteMet(_:household:on:)``. `only` limits it to the households it selects (a condition on
/// `households`), when the write knows which households it moved. With `rewrite`, every selected
/// household's dates are written without first being compared with what they become (each compared
/// one was worked out twice): less work when nearly all of them change (a first import, where
/// none is set yet).
func refreshLastMet(_ db: Database, only households: SQL = "true", rewrite: Bool = false) throws {
    let latest = LastMet.sql(household: "households.code")
    let changed: SQL = rewrite ? "" : " AND last_met_on IS NOT \(latest)"
    try db.execute(literal: "UPDATE households SET last_met_on = \(latest) WHERE \(households)\(changed)")
    try refreshDueOn(db, only: households, rewrite: rewrite)
}

/// Keeps every household's `interval_days` (``Schedule/intervalSQL(household:)``) and `due_on`
/// (the due date by the latest met visit: ``Schedule/dueOn(registeredOn:lastMet:intervalDays:)``
/// through `gridbook_due_on`) in step with its registration, categories and `last_met_on`. Every
/// write that moves any of them in bulk calls this in its transaction. `rewrite` as for
/// ``refreshLastMet(_:only:rewrite:)``.
func refreshDueOn(_ db: Database, only households: SQL = "true", rewrite: Bool = false) throws {
    let interval = Schedule.intervalSQL(household: "households.code")
    let dueOn: SQL = "gridbook_due_on(registered_on, last_met_on, interval_days)"
    let intervalChanged: SQL = rewrite ? "" : " AND interval_days IS NOT \(interval)"
    let dueOnChanged: SQL = rewrite ? "" : " AND due_on IS NOT \(dueOn)"
    try db.execute(literal: "UPDATE households SET interval_days = \(interval) WHERE \(households)\(intervalChanged)")
    try db.execute(literal: "UPDATE households SET due_on = \(dueOn) WHERE \(households)\(dueOnChanged)")
}

/// Keeps `households.last_met_on` and `due_on` as a new met visit on `date` moves them: only
/// a visit later than the latest met one does (last_met is the latest, SPEC section 3). The
/// incremental form of ``refreshLastMet(_:)`` for a visit just added, without reading
/// the household's visits again; the interval is the stored one (categories do not change with
/// a visit).
func noteMet(_ db: Database, household: String, on date: LocalDate) throws {
    try db.cachedStatement(sql: """
        UPDATE households SET last_met_on = ?1, due_on = gridbook_due_on(registered_on, ?1, interval_days)
        WHERE code = ?2 AND (last_met_on IS NULL OR last_met_on < ?1)
        """).execute(arguments: [date, household])
}
