import GRDB

/// The risk register of a unit on a date: counts by level and status, and the risks not
/// reviewed on time.
public struct RiskReport: Encodable, Equatable, Sendable {
    public var unit: UnitSummary
    public var asOf: LocalDate
    public var total: Int
    /// level → status → count, every level and status present.
    public var byLevel: [String: [String: Int]]
    /// Open or monitored risks whose review date has passed, most urgent first.
    public var reviewOverdue: [Risk]
}

extension AppDatabase {
    /// The risk report for grids at or under a unit (default: the county) on a date (default: today).
    public func riskReport(unitCode: String? = nil, asOf: LocalDate? = nil) async throws -> RiskReport {
        let unit = try await unit(orCounty: unitCode)
        let date = if let asOf { asOf } else { try await today() }
        let risks = try await allRisks(RiskFilter(unitCode: unit.code), today: date)
        var byLevel = Dictionary(uniqueKeysWithValues: RiskLevel.allCases.map { level in
            (level.rawValue, Dictionary(uniqueKeysWithValues: RiskStatus.allCases.map { ($0.rawValue, 0) }))
        })
        for risk in risks { byLevel[risk.level.rawValue]?[risk.status.rawValue, default: 0] += 1 }
        return RiskReport(unit: UnitSummary(unit), asOf: date, total: risks.count, byLevel: byLevel,
                          reviewOverdue: try await allRisks(RiskFilter(unitCode: unit.code, reviewOverdue: true), today: date))
    }
}
