import GRDB

/// Keeps `households.last_met_on`, the local date of each household's latest `met` visit,
/// in step with the visit log. Only a visit that met the household counts (SPEC section 3).
/// Every write that adds or changes visits calls this in its transaction.
func refreshLastMet(_ db: Database, household: String? = nil) throws {
    let latest = "(SELECT MAX(visited_on) FROM visits WHERE household_code = households.code AND outcome = 'met')"
    if let household {
        try db.cachedStatement(sql: "UPDATE households SET last_met_on = \(latest) WHERE code = ? AND last_met_on IS NOT \(latest)")
            .execute(arguments: [household])
    } else {
        try db.execute(sql: "UPDATE households SET last_met_on = \(latest) WHERE last_met_on IS NOT \(latest)")
    }
}
