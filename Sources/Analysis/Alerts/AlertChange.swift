/// What an alert says happened to a watched service in a commune between two analyses.
public enum AlertChange: String, Sendable, CaseIterable, Codable {
    /// It had one (or it newly shows as lost), it has none now.
    case lost
    /// Still there, at a lower level (post office → agence postale → relais poste).
    case downgraded
    /// It has one again, or back at its level (good news is news too).
    case regained

    /// The change from the flag of the previous analysis (nil: none for that commune and
    /// category) to the current one, or nil when there is nothing to tell. An unknown flag tells
    /// nothing: a source that stops covering a commune is not a loss, nor its return a gain.
    public static func between(_ previous: LossFlag?, _ current: LossFlag) -> AlertChange? {
        let before = previous ?? .unknown
        switch current {
        case .lost, .never:
            // `never` after an open flag: a place that opened and closed between two vintages.
            return before.isOpen || (current == .lost && before != .lost) ? .lost : nil
        case .downgraded:
            if before.isAbsent { return .regained }
            return before == .downgraded ? nil : .downgraded
        case .kept, .gained:
            return before.isAbsent || before == .downgraded ? .regained : nil
        case .unknown:
            return nil
        }
    }
}
