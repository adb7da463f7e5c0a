import Foundation

/// The digest in words, for the command line's table and the HTML page alike: its Chinese
/// labels and how its numbers are written. The JSON keeps the codes.
public enum DigestText {
    /// 日报, 周报, 月报.
    public static func title(_ period: DigestPeriod) -> String {
        switch period {
        case .daily: "日报"
        case .weekly: "周报"
        case .monthly: "月报"
        }
    }

    /// The digest's heading: the unit, the kind of digest and its days.
    public static func heading(_ digest: Digest) -> String {
        let days = digest.from == digest.to ? "\(digest.from)" : "\(digest.from) 至 \(digest.to)"
        return "\(digest.unit.name) \(title(digest.period))（\(days)）"
    }

    /// The pairing gaps, in the order the digest shows them.
    public static func gaps(_ pairing: DigestPairing) -> [(label: String, units: [UnitRef])] {
        [("无网格员的网格", pairing.gridsWithoutGridMember), ("无民警的网格", pairing.gridsWithoutPolice),
         ("无党小组的网格", pairing.gridsWithoutPartyGroup), ("无辅警的村", pairing.villagesWithoutAuxiliaryPolice),
         ("无片长的片区", pairing.blocksWithoutHead)]
    }

    /// A percentage with one decimal, or a dash when there is none.
    public static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0) } ?? "–"
    }

    /// A change in percentage points, signed: `+1.5 个百分点`.
    public static func points(_ value: Double?) -> String {
        guard let value else { return "–" }
        return String(format: "%@%.1f 个百分点", value > 0 ? "+" : "", value)
    }

    /// A duration as people say it: `45秒`, `12分钟`, `1小时5分钟`, `2天3小时`; a dash for none.
    public static func duration(_ seconds: Int?) -> String {
        guard let seconds else { return "–" }
        if seconds < 60 { return "\(seconds)秒" }
        let minutes = seconds / 60
        if minutes < 60 { return "\(minutes)分钟" }
        let hours = minutes / 60
        if hours < 24 { return minutes % 60 == 0 ? "\(hours)小时" : "\(hours)小时\(minutes % 60)分钟" }
        return hours % 24 == 0 ? "\(hours / 24)天" : "\(hours / 24)天\(hours % 24)小时"
    }

    /// The figures of the digest as label–value lines, section by section (the table's and the
    /// page's summary).
    public static func summary(_ digest: Digest) -> [(section: String, lines: [(label: String, value: String)])] {
        let visits = digest.visits, coverage = digest.coverage, cases = digest.cases, response = digest.firstResponse
        return [
            ("走访", [
                ("应访户数", "\(visits.due)"), ("已访户数", "\(visits.done)"), ("完成率", percent(visits.doneRate)),
                ("本期见到的户数", "\(visits.met)"),
            ]),
            ("覆盖率", [
                ("期初（截至 \(coverage.startAsOf)）", "\(percent(coverage.start.coverage))（\(coverage.start.covered)/\(coverage.start.households)）"),
                ("期末（截至 \(coverage.endAsOf)）", "\(percent(coverage.end.coverage))（\(coverage.end.covered)/\(coverage.end.households)）"),
                ("变化", points(coverage.change)), ("期末逾期户数", "\(coverage.end.overdue)"),
            ]),
            ("风险隐患", [
                ("新发现", "\(digest.risks.found)"),
            ] + RiskLevel.allCases.map { level in
                ("　" + (Labels.riskLevel[level.rawValue] ?? level.rawValue), "\(digest.risks.byLevel[level.rawValue] ?? 0)")
            } + [("未按期研判", "\(digest.risks.notReviewedOnTime.count)")]),
            ("矛盾纠纷案件", [
                ("受理", "\(cases.accepted)"), ("派单", "\(cases.dispatched)"), ("化解", "\(cases.resolved)"),
                ("未能化解", "\(cases.unresolved)"), ("逾期", "\(cases.overdue.count)"),
            ]),
            ("督办", [("黄牌", "\(digest.cards.yellow)"), ("红牌", "\(digest.cards.red)")]),
            ("首次响应", [
                ("案件", "\(response.cases)"), ("已响应", "\(response.responded)"),
                ("中位数", duration(response.medianSeconds)), ("90% 分位", duration(response.p90Seconds)),
                ("15 分钟内", percent(response.within15Minutes)), ("1 小时内", percent(response.within1Hour)),
                ("24 小时内", percent(response.within24Hours)),
            ]),
            ("配备缺口", gaps(digest.pairing).map { ($0.label, "\($0.units.count)") }),
        ]
    }
}
