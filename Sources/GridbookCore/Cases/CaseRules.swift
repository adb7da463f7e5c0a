import Foundation

/// What an action carries besides its name (SPEC section 6).
public struct CaseActionInput: Sendable, Equatable {
    public var action: CaseAction
    public var note: String
    /// For `dispatch`: the responsible unit or department and person.
    public var assignee: String?
    /// For `dispatch`: the deadline, by level when nil.
    public var deadline: LocalDate?
    /// For `dispatch`: the deadline as this many working days from today (instead of `deadline`).
    public var deadlineWorkingDays: Int?
    /// For `escalate`: another track instead of the next level up.
    public var track: CaseTrack?
    /// For `follow_up`.
    public var satisfaction: Satisfaction?

    /// An action with what it carries.
    public init(_ action: CaseAction, note: String = "", assignee: String? = nil, deadline: LocalDate? = nil,
                deadlineWorkingDays: Int? = nil, track: CaseTrack? = nil, satisfaction: Satisfaction? = nil) {
        self.action = action
        self.note = note
        self.assignee = assignee
        self.deadline = deadline
        self.deadlineWorkingDays = deadlineWorkingDays
        self.track = track
        self.satisfaction = satisfaction
    }
}

/// The case state machine: which actions each state allows and what they do. Every way of
/// acting on a case (command line, API) goes through ``apply(_:to:today:now:)``.
public enum CaseRules {
    /// The actions a case allows in its current state.
    public static func allowed(_ dispute: DisputeCase) -> [CaseAction] {
        switch dispute.status {
        case .accepted, .assigned: [.dispatch, .respond, .start, .escalate, .note]
        case .inProgress: [.respond, .resolve, .fail, .escalate, .note]
        case .resolved: [.feedback, .followUp, .close, .note]
        case .unresolved: [.escalate, .feedback, .followUp, .close, .note]
        case .closed: dispute.satisfaction == .dissatisfied ? [.reopen, .note] : [.note]
        }
    }

    /// The case after an action, or a refusal naming the state and the allowed actions. Time
    /// limits by level count the `policy`'s days (calendar days unless the county says working days).
    public static func apply(_ input: CaseActionInput, to dispute: DisputeCase, today: LocalDate, now: String,
                             policy: DeadlinePolicy = DeadlinePolicy()) throws -> DisputeCase {
        let allowed = allowed(dispute)
        guard allowed.contains(input.action) else {
            throw GridbookError.conflict("case \(dispute.id) is \(dispute.status.rawValue); \(input.action.rawValue) is not allowed (allowed: \(allowed.map(\.rawValue).joined(separator: ", ")))")
        }
        var next = dispute
        switch input.action {
        case .dispatch:
            guard let assignee = input.assignee?.trimmingCharacters(in: .whitespaces), !assignee.isEmpty else {
                throw GridbookError.invalid(field: "assignee", problem: "is empty (the responsible unit and person)")
            }
            if let deadline = input.deadline, deadline < today {
                throw GridbookError.invalid(field: "deadline", problem: "\(deadline) is in the past")
            }
            if let days = input.deadlineWorkingDays {
                guard input.deadline == nil else {
                    throw GridbookError.invalid(field: "deadline_working_days", problem: "give a deadline or a number of working days, not both")
                }
                guard (1...365).contains(days) else {
                    throw GridbookError.invalid(field: "deadline_working_days", problem: "\(days) is not 1 to 365 working days")
                }
            }
            next.assignee = assignee
            next.deadline = input.deadline ?? input.deadlineWorkingDays.map { policy.calendar.adding(workingDays: $0, to: today) }
                ?? policy.deadline(from: today, days: dispute.level.deadlineDays)
            next.status = .assigned
        case .respond:
            guard !input.note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw GridbookError.invalid(field: "note", problem: "is empty (who is on site or in contact with the parties, and how)")
            }
        case .start:
            next.status = .inProgress
        case .note:
            guard !input.note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw GridbookError.invalid(field: "note", problem: "is empty")
            }
        case .resolve:
            next.status = .resolved
            next.finishedAt = now
        case .fail:
            next.status = .unresolved
            next.finishedAt = now
        case .escalate:
            if let track = input.track {
                guard track != dispute.track else {
                    throw GridbookError.invalid(field: "track", problem: "the case is already on \(track.rawValue)")
                }
                next.track = track
            } else {
                guard let up = dispute.level.up else {
                    throw GridbookError.conflict("case \(dispute.id) is at the county level and cannot escalate further up; give a track (judicial_confirmation, litigation or petition)")
                }
                next.level = up
            }
            next.status = .accepted
            next.assignee = nil
            next.finishedAt = nil
            next.deadline = policy.deadline(from: today, days: next.level.deadlineDays)
        case .feedback:
            guard !input.note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw GridbookError.invalid(field: "note", problem: "is empty (the answer given to the parties)")
            }
            next.feedbackGiven = true
        case .followUp:
            guard dispute.feedbackGiven else {
                throw GridbookError.conflict("case \(dispute.id) has had no feedback yet; answer the parties (feedback) before following up")
            }
            guard let satisfaction = input.satisfaction else {
                throw GridbookError.invalid(field: "satisfaction", problem: "is empty (satisfied, basically_satisfied or dissatisfied)")
            }
            next.satisfaction = satisfaction
        case .close:
            next.status = .closed
        case .reopen:
            next.status = .inProgress
            next.finishedAt = nil
            next.satisfaction = nil
            next.feedbackGiven = false
            next.deadline = policy.deadline(from: today, days: dispute.level.deadlineDays)
        }
        return next
    }
}
