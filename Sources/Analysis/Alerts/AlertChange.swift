/// What an alert says happened to a watched service in a commune.
public enum AlertChange: String, Sendable, CaseIterable, Codable {
    /// It had one, it has none now.
    case lost
    /// Still there, at a lower level (post office → agence postale or relais poste).
    case downgraded
    /// It has one again, or one back at its former level (good news is news too).
    case regained

    /// The change from the commune's last known flag for the category (`previous`; nil: never
    /// known) to the current one, or nil when there is nothing to tell. Only what is present
    /// today counts: an `unknown` flag tells nothing (a source that stops covering a commune is
    /// not a loss, nor its return a gain), and a flag first known is the baseline, not news.
    public static func between(_ previous: LossFlag?, _ current: LossFlag) -> AlertChange? {
        guard let previous, previous != .unknown, current != .unknown else { return nil }
        if previous.isOpen && current.isAbsent { return .lost }
        if previous.isAbsent && current.isOpen { return .regained }
        if previous != .downgraded && current == .downgraded { return .downgraded }
        if previous == .downgraded && (current == .kept || current == .gained) { return .regained }
        return nil
    }
}
