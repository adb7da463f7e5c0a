/// The Chinese labels of the codes Gridbook's records hold, for everything people read: the
/// command line's tables, the pages and the digests (the JSON keeps the codes).
public enum Labels {
    /// Unit levels.
    public static let level: [String: String] = [
        "county": "旗县", "township": "苏木乡镇", "village": "嘎查村（社区）", "grid": "网格", "block": "片区",
    ]
    /// Risk levels.
    public static let riskLevel: [String: String] = ["red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"]
    /// Risk statuses.
    public static let riskStatus: [String: String] = ["open": "待处置", "monitoring": "跟踪中", "resolved": "已化解", "promoted": "已转案件"]
    /// Case statuses.
    public static let caseStatus: [String: String] = [
        "accepted": "已受理", "assigned": "已派单", "in_progress": "办理中", "resolved": "已化解", "unresolved": "未化解", "closed": "已办结",
    ]
    /// The levels handling a case.
    public static let caseLevel: [String: String] = ["village": "村级", "township": "乡镇级", "county": "县级"]
    /// A case ledger's actions.
    public static let action: [String: String] = [
        "accept": "受理", "dispatch": "派单", "start": "开始办理", "note": "记录", "resolve": "化解", "fail": "未能化解",
        "escalate": "上报", "feedback": "反馈当事人", "follow_up": "回访", "close": "办结", "reopen": "重新打开",
        "respond": "响应", "promote": "由风险转入", "supervise": "督办",
    ]
    /// A case's tracks.
    public static let track: [String: String] = [
        "mediation": "人民调解", "judicial_confirmation": "司法确认", "litigation": "诉讼", "petition": "信访",
    ]
    /// The parties' satisfaction.
    public static let satisfaction: [String: String] = ["satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"]
    /// A visit's outcomes.
    public static let outcome: [String: String] = ["met": "见到", "absent": "不在家", "refused": "拒绝"]
    /// A visit's methods.
    public static let method: [String: String] = ["door": "入户", "phone": "电话", "video": "视频", "other": "其他"]
    /// What a digest's triage item is.
    public static let kind: [String: String] = ["risk": "风险报告", "case": "案件"]
}
