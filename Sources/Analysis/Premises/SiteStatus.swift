/// Where the field team stands with a site.
public enum SiteStatus: String, Sendable, CaseIterable, Codable {
    /// Spotted, not visited yet.
    case proposed
    /// Visited.
    case visited
    /// Kept for the project.
    case retained
    /// Set aside.
    case rejected
}
