import Catalog
import Territory

/// Which alerts a reader or a webhook wants: of these départements and categories (all when
/// empty), detected at or after `since` (an ISO 8601 date or timestamp).
public struct AlertFilter: Sendable, Equatable {
    public var departements: [String]
    public var categories: [ServiceCategory]
    public var since: String?

    public init(departements: [String] = [], categories: [ServiceCategory] = [], since: String? = nil) {
        self.departements = departements
        self.categories = categories
        self.since = since
    }

    /// Whether `alert` passes (its detection time is not checked: the alert is new).
    public func routes(_ alert: Alert) -> Bool {
        (departements.isEmpty || alert.departement.map(departements.contains) == true)
            && (categories.isEmpty || categories.contains(alert.category))
    }
}
