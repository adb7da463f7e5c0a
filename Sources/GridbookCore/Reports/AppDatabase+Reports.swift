import GRDB

// MARK: - Reports

extension AppDatabase {
    /// Visit coverage of a unit (default: the county) as of a date (default: today in the
    /// deployment's time zone).
    public func coverageReport(unitCode: String? = nil, asOf: LocalDate? = nil) throws -> CoverageReport {
        let unit = try unitCode.map { try self.unit(code: $0) } ?? county()
        return try read { db in
            var calendar = try Settings.calendar(db)
            return try CoverageReport.make(db, unit: unit, asOf: asOf ?? calendar.today(now: clock.now()))
        }
    }

    /// Today's date in the deployment's time zone.
    public func today() throws -> LocalDate {
        try read { db in
            var calendar = try Settings.calendar(db)
            return calendar.today(now: clock.now())
        }
    }

    /// The local date of the latest visit, or nil when there are none.
    public func latestVisitDate() throws -> LocalDate? {
        try read { db in try LocalDate.fetchOne(db, sql: "SELECT MAX(visited_on) FROM visits") }
    }
}
