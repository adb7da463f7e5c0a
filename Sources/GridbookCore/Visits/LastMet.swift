import GRDB

/// Keeps `households.last_met_on`, the local date of each household's latest `met` visit,
/// in step with the visit log. Only a visit that met the household counts (SPEC section 3).
/// Every write that adds or changes visits calls this in its transaction.
func refreshLastMet(_ db: Database, household: String? = nil) throws {
    let latest: SQL = "(SELECT MAX(visited_on) FROM visits WHERE household_code = households.code AND outcome = 'met')"
    let which: SQL = household.map { "code = \($0) AND " } ?? ""
    try db.execute(literal: "UPDATE households SET last_met_on = \(latest) WHERE \(which)last_met_on IS NOT \(latest)")
}
