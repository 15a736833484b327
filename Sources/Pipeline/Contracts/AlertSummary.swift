import Analysis
import Catalog
import Territory

/// One alert: `ruralmapd alerts --json`, `GET /api/v1/alerts`, and the body POSTed to webhooks.
public struct AlertSummary: Sendable, Codable, Equatable {
    public var id: Int64
    public var code: CommuneCode
    public var name: String
    @Nullable public var dep: String?
    public var category: ServiceCategory
    public var change: AlertChange
    /// The vintages (or snapshot years) compared.
    @Nullable public var from: Int?
    @Nullable public var to: Int?
    /// The sources that show the change.
    public var sources: [String]
    /// ISO 8601, UTC.
    public var detectedAt: String
    /// The commune's rank among the candidates of the analysis that found it; null if not one.
    @Nullable public var candidateRank: Int?

    public init(_ a: Alert) {
        id = a.id ?? 0
        code = a.commune
        name = a.name
        dep = a.departement
        category = a.category
        change = a.change
        from = a.vintageFrom
        to = a.vintageTo
        sources = a.sources?.split(separator: ",").map(String.init) ?? []
        detectedAt = a.detectedAt ?? ""
        candidateRank = a.candidateRank
    }
}
