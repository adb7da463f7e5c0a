import ArgumentParser
import Foundation
import GridbookCore
import GridbookWeb

/// `gridbook digest daily|weekly|monthly`: what the centres go through at the morning meeting,
/// the weekly review and the monthly dispatch.
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "The daily, weekly or monthly digest of a unit, with the morning's triage list.",
        discussion: """
            daily covers the last working day before --on up to the day before it (a Monday: Friday to Sunday); \
            weekly the last whole week, Monday to Sunday, before --on; monthly the last whole calendar month \
            before --on. --on is the day the digest is read (default today). The triage list is every risk report \
            and case of the daily days not yet dispatched, oldest first.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "daily, weekly or monthly.")
    var period: DigestPeriod

    @Option(help: "The unit (default: the county).")
    var unit: String?

    @Option(help: "The day the digest is read, YYYY-MM-DD (default: today; not after today).")
    var on: LocalDate?

    @Option(help: "table, json (the API's body) or html (one self-contained page).")
    var format: DigestFormat = .table

    /// How the digest prints.
    enum DigestFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json, html
    }

    func run() async throws {
        let database = try await global.open()
        let digest = try await database.digest(period, unitCode: unit, on: on)
        switch format {
        case .json: try Console.printJSON(digest)
        case .html: Console.write(try await DigestPage.html(digest, database: database))
        case .table: try await Self.printTable(digest, database: database)
        }
    }

    /// The digest as aligned tables, in Chinese.
    static func printTable(_ digest: Digest, database: AppDatabase) async throws {
        let categories = Dictionary(try await database.issueCategories().map { ($0.code, $0.label) }, uniquingKeysWith: { first, _ in first })
        let zone = TimeZone(identifier: try await database.timeZoneIdentifier()) ?? TimeZone(secondsFromGMT: 8 * 3600) ?? .current
        var calendar = LocalCalendar(timeZone: zone)
        var out = "\(DigestText.heading(digest))\n\(digest.unit.code) · 阅读日期 \(digest.on)\n"
        for section in DigestText.summary(digest) {
            var table = TextTable(headers: [section.section, ""], alignments: [.left, .right])
            table.rows = section.lines.map { [$0.label, $0.value] }
            out += "\n" + table.render()
        }
        if !digest.risks.byCategory.isEmpty {
            out += "\n新发现风险（按问题类别）：" + digest.risks.byCategory.keys.sorted()
                .map { "\(categories[$0] ?? $0) \(digest.risks.byCategory[$0] ?? 0)" }.joined(separator: "，") + "\n"
        }

        let triage = digest.triage
        let days = triage.from == triage.to ? "\(triage.from)" : "\(triage.from) 至 \(triage.to)"
        let asOf = Timestamp(triage.asOf).map { calendar.localTime($0) } ?? triage.asOf
        out += "\n待派单（\(days)，截至 \(asOf)）：\(triage.items.count)\n"
        if !triage.items.isEmpty {
            var table = TextTable(headers: ["报告时间", "类别", "编号", "事项", "问题类别", "等级", "所在单位"],
                                  alignments: [.left, .left, .left, .left, .left, .left, .left])
            table.rows = triage.items.map { item in
                [Timestamp(item.reportedAt).map { calendar.localTime($0) } ?? item.reportedAt, Labels.kind[item.kind] ?? item.kind,
                 item.id, item.title, categories[item.category] ?? item.category,
                 (item.kind == "risk" ? Labels.riskLevel : Labels.caseLevel)[item.level] ?? item.level, item.unitCode]
            }
            out += table.render()
        }

        out += "\n逾期住户（按网格，截至 \(digest.to)）：\(digest.overdueByGrid.count) 个网格\n"
        if !digest.overdueByGrid.isEmpty {
            var table = TextTable(headers: ["网格", "名称", "逾期户数", "最长逾期天数", "网格员"], alignments: [.left, .left, .right, .right, .left])
            table.rows = digest.overdueByGrid.prefix(30).map { grid in
                [grid.code, grid.name, "\(grid.overdue)", "\(grid.longestOverdueDays)",
                 grid.gridMembers.isEmpty ? "（无）" : grid.gridMembers.joined(separator: "、")]
            }
            out += table.render()
            if digest.overdueByGrid.count > 30 { out += "……另有 \(digest.overdueByGrid.count - 30) 个网格（--format json 列出全部）\n" }
        }

        let late = digest.risks.notReviewedOnTime
        out += "\n未按期研判的风险：\(late.count)\n"
        for risk in late.prefix(30) {
            out += "  \(risk.id)  \(Labels.riskLevel[risk.level.rawValue] ?? "")  \(risk.title)（应于 \(risk.reviewDue) 研判）\n"
        }
        if late.count > 30 { out += "  ……另有 \(late.count - 30) 条\n" }
        out += "\n逾期案件（截至 \(digest.to)）：\(digest.cases.overdue.count)\n"
        for dispute in digest.cases.overdue.prefix(30) {
            out += "  \(dispute.id)  \(dispute.title)  期限 \(dispute.deadline)\(dispute.assignee.map { "  \($0)" } ?? "")\n"
        }
        if digest.cases.overdue.count > 30 { out += "  ……另有 \(digest.cases.overdue.count - 30) 件\n" }
        for gap in DigestText.gaps(digest.pairing) where !gap.units.isEmpty {
            let names = gap.units.prefix(6).map { "\($0.name) \($0.code)" }.joined(separator: "；")
            out += "\(gap.label)：\(names)\(gap.units.count > 6 ? "；……" : "")\n"
        }
        Console.write(out)
    }
}

extension DigestPeriod: ExpressibleByArgument {}
