import ArgumentParser
import Foundation
import GridbookCore

/// `gridbook report …`: the tables townships and the county watch.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports: visit coverage, pairing gaps, risks, cases.",
        subcommands: [CoverageCommand.self, PairingCommand.self, RisksReportCommand.self, CasesReportCommand.self, UnitsReportCommand.self]
    )
}

/// `gridbook report coverage`: visit coverage of a unit's children as of a date.
struct CoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Visit coverage per child unit (a grid's rows are its households).",
        discussion: "A household is covered when a visit met it and its next visit is not yet overdue (SPEC section 3)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The unit to report on (default: the county).")
    var unit: String?

    @Option(name: .customLong("as-of"), help: "The date to report as of, YYYY-MM-DD (default: today).")
    var asOf: String?

    @Option(help: "table, csv, json, or html (a self-contained coverage map page, township → village → grid).")
    var format: PageFormat = .table

    func validate() throws {
        if let asOf, LocalDate(asOf) == nil { throw ValidationError("--as-of \(asOf) is not a date (YYYY-MM-DD)") }
    }

    func run() async throws {
        let database = try await global.open()
        if format == .html {
            return Console.write(try CoverageMap.html(try await database.coverageTree(unitCode: unit, asOf: asOf.flatMap { LocalDate($0) })))
        }
        let report = try await database.coverageReport(unitCode: unit, asOf: asOf.flatMap { LocalDate($0) })
        try CoverageCommand.print(report, format: format)
    }

    static func print(_ report: CoverageReport, format: PageFormat) throws {
        let headers = ["code", "name", "households", "covered", "coverage", "overdue", "never visited"]
        func cells(_ code: String, _ name: String, _ counts: CoverageCounts) -> [String] {
            [code, name, "\(counts.households)", "\(counts.covered)",
             counts.coverage.map { String(format: "%.1f%%", $0) } ?? "–", "\(counts.overdue)", "\(counts.neverVisited)"]
        }
        switch format {
        case .json, .html:
            try Console.printJSON(report)
        case .csv:
            Console.write(CoverageCSV.render(report))
        case .table:
            Console.write("Visit coverage of \(report.unit.name) (\(report.unit.code), \(report.unit.level)) as of \(report.asOf)\n\n")
            var table = TextTable(headers: headers, alignments: [.left, .left, .right, .right, .right, .right, .right])
            table.rows = report.rows.map { cells($0.code, $0.name, $0.counts) }
            table.footer = [cells("total", "", report.total)]
            Console.write(table.render())
        }
    }
}

/// `gridbook report pairing`: where grids, villages and blocks lack people on duty.
struct PairingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairing",
        abstract: "Grids without a grid member, police officer or party group; villages without an auxiliary officer; blocks without a head."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The unit to report on (default: the county).")
    var unit: String?

    @Option(help: "table or json.")
    var format: RecordFormat = .table

    func run() async throws {
        let report = try await global.open().pairingReport(unitCode: unit)
        if format == .json { return try Console.printJSON(report) }
        let sections: [(String, [UnitRef])] = [
            ("grids without a grid member", report.gridsWithoutGridMember),
            ("grids without a paired police officer", report.gridsWithoutPolice),
            ("grids without a party group", report.gridsWithoutPartyGroup),
            ("villages without an auxiliary police officer", report.villagesWithoutAuxiliaryPolice),
            ("blocks without a head", report.blocksWithoutHead),
        ]
        print("Pairing gaps under \(report.unit.name) (\(report.unit.code))\n")
        var table = TextTable(headers: ["gap", "count", "units"], alignments: [.left, .right, .left])
        table.rows = sections.map { title, units in
            let names = units.prefix(6).map { "\($0.name) \($0.code)" }.joined(separator: "; ")
            return [title, "\(units.count)", units.count > 6 ? names + "; …" : names]
        }
        Console.write(table.render())
    }
}

/// `gridbook report cases`: accepted, resolved and the three rates for a period.
struct CasesReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "Cases accepted in a period: resolved, unresolved, resolution, on-time and satisfaction rates, by level and category, overdue."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The unit (default: the county).")
    var unit: String?

    @Option(help: "First day of the period, YYYY-MM-DD.")
    var from: LocalDate

    @Option(help: "Last day of the period, YYYY-MM-DD.")
    var to: LocalDate

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let report = try await global.open().caseReport(unitCode: unit, from: from, to: to)
        let rate = CoverageCounts.percentText
        func rows(_ groups: [String: CaseCounts]) -> [[String]] {
            groups.keys.sorted().map { key in
                let counts = groups[key] ?? CaseCounts()
                return [key, "\(counts.accepted)", "\(counts.resolved)", "\(counts.unresolved)",
                        rate(CoverageCounts.percentage(counts.resolved, of: counts.accepted))]
            }
        }
        let headers = ["group", "accepted", "resolved", "unresolved", "resolution rate"]
        let total = ["total", "\(report.total.accepted)", "\(report.total.resolved)", "\(report.total.unresolved)", rate(report.resolutionRate)]
        switch format {
        case .json:
            try Console.printJSON(report)
        case .csv:
            Console.write(CSVWriter.render([headers] + rows(report.byLevel).map { ["level " + $0[0]] + $0.dropFirst() }
                + rows(report.byCategory).map { ["category " + $0[0]] + $0.dropFirst() } + [total]))
        case .table:
            print("Cases of \(report.unit.name) (\(report.unit.code)) accepted \(report.from) to \(report.to)\n")
            var table = TextTable(headers: headers, alignments: [.left, .right, .right, .right, .right])
            table.rows = rows(report.byLevel) + [["", "", "", "", ""]] + rows(report.byCategory)
            table.footer = [total]
            Console.write(table.render())
            print("""

                resolution rate \(rate(report.resolutionRate)) (\(report.total.resolved)/\(report.total.accepted)); \
                on-time rate \(rate(report.onTimeRate)) (\(report.finishedOnTime)/\(report.finished)); \
                satisfaction rate \(rate(report.satisfactionRate)) (\(report.satisfied)/\(report.followedUp))
                overdue: \(report.overdue.isEmpty ? "none" : report.overdue.map { "\($0.id) (due \($0.deadline))" }.joined(separator: ", "))
                """)
        }
    }
}

/// `gridbook report units`: the townships of the county (or the villages of a township) ranked
/// for the last week or month.
struct UnitsReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units",
        abstract: "Rank the townships of the county, or the villages of a township, for the last whole week or month.",
        discussion: "The rule: \(UnitRanking.ruleText)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The county (default) or a township.")
    var unit: String?

    @Option(help: "week or month: the last whole one before --on.")
    var period: RankingPeriod = .month

    @Option(help: "The day it is read (default today).")
    var on: LocalDate?

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let ranking = try await global.open().unitRanking(unitCode: unit, period: period, on: on)
        if format == .json { return try Console.printJSON(ranking) }
        let rate = CoverageCounts.percentText
        let headers = ["rank", "code", "name", "score", "coverage", "on time", "satisfied", "first response", "yellow", "red"]
        let rows = ranking.rows.map { row in
            ["\(row.rank)", row.code, row.name, String(format: "%.1f", row.score), rate(row.coverage), rate(row.onTimeRate),
             rate(row.satisfactionRate), DurationText.minutes(row.firstResponseMedianSeconds), "\(row.cards.yellow)", "\(row.cards.red)"]
        }
        // CSV is the ranking's rows only; the period and the rule are in the table's heading and footing.
        if format == .csv { return Console.write(CSVWriter.render([headers] + rows)) }
        Console.write("\(ranking.unit.name) (\(ranking.unit.code)), \(ranking.from) to \(ranking.to)\n\n")
        var table = TextTable(headers: headers, alignments: [.right, .left, .left, .right, .right, .right, .right, .right, .right, .right])
        table.rows = rows
        Console.write(table.render())
        Console.write("\nrule: \(ranking.rule)\n")
    }
}

/// `gridbook report risks`: the register by level and status, and overdue reviews.
struct RisksReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risks",
        abstract: "Risks by level and status, and the risks not reviewed on time."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The unit (default: the county).")
    var unit: String?

    @Option(name: .customLong("as-of"), help: "The date, YYYY-MM-DD (default: today).")
    var asOf: LocalDate?

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        let report = try await global.open().riskReport(unitCode: unit, asOf: asOf)
        if format == .json { return try Console.printJSON(report) }
        let statuses = RiskStatus.allCases.map(\.rawValue)
        let rows = RiskLevel.allCases.map { level in
            [level.rawValue] + statuses.map { "\(report.byLevel[level.rawValue]?[$0] ?? 0)" }
        }
        if format == .csv { return Console.write(CSVWriter.render([["level"] + statuses] + rows)) }
        print("Risks of \(report.unit.name) (\(report.unit.code)) as of \(report.asOf): \(report.total)\n")
        var table = TextTable(headers: ["level"] + statuses, alignments: [.left] + statuses.map { _ in .right })
        table.rows = rows
        Console.write(table.render())
        print("\nnot reviewed on time: \(report.reviewOverdue.count)")
        for risk in report.reviewOverdue { print("  \(risk.id)  \(risk.level.rawValue)  \(risk.title)  (review was due \(risk.reviewDue))") }
    }
}
