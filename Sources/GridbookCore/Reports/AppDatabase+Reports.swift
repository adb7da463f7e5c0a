import GRDB

// MARK: - Reports

extension AppDatabase {
    /// Visit coverage of a unit (default: the county) as of a date (default: today in the
    /// deployment's time zone).
    public func coverageReport(unitCode: String? = nil, asOf: LocalDate? = nil) async throws -> CoverageReport {
        let unit = try await unit(orCounty: unitCode)
        return try await readReport { db in
            var calendar = try Settings.calendar(db)
            return try CoverageReport.make(db, unit: unit, asOf: asOf ?? calendar.today(now: clock.now()))
        }
    }

    /// Today's date in the deployment's time zone.
    public func today() async throws -> LocalDate {
        try await read { db in
            var calendar = try Settings.calendar(db)
            return calendar.today(now: clock.now())
        }
    }

    /// The local date of the latest visit, or nil when there are none.
    public func latestVisitDate() async throws -> LocalDate? {
        try await read { db in try LocalDate.fetchOne(db, sql: "SELECT MAX(visited_on) FROM visits") }
    }
}
