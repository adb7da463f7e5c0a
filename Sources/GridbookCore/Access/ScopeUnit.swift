import GRDB

/// The unit a record belongs to when a caller's scope is checked: one answer for the API, the
/// lists and the feed. A household sits in its block, else its grid (``Household/innermostUnit``);
/// a risk where its household sits when it has one (so a block head sees what they reported),
/// else on its grid; a case at its unit.
enum ScopeUnit {
    /// A household's, for the households row of table `alias`.
    static func householdSQL(_ alias: String) -> SQL {
        "coalesce(\(sql: alias).block_code, \(sql: alias).grid_code)"
    }

    /// A risk's, for the risks row of table `alias`.
    static func riskSQL(_ alias: String) -> SQL {
        """
        coalesce((SELECT \(householdSQL("scope_h")) FROM households scope_h WHERE scope_h.code = \(sql: alias).household_code),
                 \(sql: alias).unit_code)
        """
    }
}

extension AppDatabase {
    /// The unit a household belongs to for scope (404 when unknown): read cheaply, for checks
    /// made on every request.
    public func scopeUnit(ofHousehold code: String) async throws -> String {
        guard let unit = try await read({ db in
            try String.fetchOne(db.cachedStatement(literal: "SELECT \(ScopeUnit.householdSQL("h")) FROM households h WHERE h.code = \(code)"))
        }) else { throw GridbookError.notFound("household \(code)") }
        return unit
    }

    /// The unit a risk belongs to for scope.
    public func scopeUnit(of risk: Risk) async throws -> String {
        guard let household = risk.householdCode else { return risk.unitCode }
        return try await scopeUnit(ofHousehold: household)
    }
}
