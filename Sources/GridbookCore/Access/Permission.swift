/// What a caller may do, by the roles of their active duties (SPEC section 6). The one place
/// that says which role does what; scope (which units) is checked separately.
public enum Permission: Sendable, CaseIterable {
    /// Log a visit as oneself.
    case logVisits
    /// Log a visit in someone else's name (`visitor_id` other than the caller).
    case logVisitsForOthers
    /// Report and update risks.
    case reportRisks
    /// Promote risks, file cases and act on them.
    case handleCases
    /// Read the change feed.
    case readFeed
    /// See personal data in full (`reveal=true`), audited.
    case revealPersonalData

    /// The roles that carry this permission.
    public var roles: [Role] {
        switch self {
        case .logVisits, .reportRisks: Role.allCases
        case .logVisitsForOthers, .handleCases, .readFeed: [.townshipStaff, .mediator, .countyAdmin]
        case .revealPersonalData: [.countyAdmin]
        }
    }

    /// The roles in words, for a refusal.
    public var holders: String {
        switch self {
        case .logVisits, .reportRisks: "people with an active duty"
        case .logVisitsForOthers, .handleCases, .readFeed: "township staff, mediators and county admins"
        case .revealPersonalData: "county admins"
        }
    }
}

extension Caller {
    /// Whether any of the caller's active roles carries the permission.
    public func may(_ permission: Permission) -> Bool {
        roles.contains(where: permission.roles.contains)
    }
}
