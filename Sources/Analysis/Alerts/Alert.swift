import Catalog
import Territory

/// A change of a watched service in a commune, detected by an analysis and kept for good (an
/// event, never rewritten).
public struct Alert: Sendable, Equatable {
    /// Its number in the store; nil before it is saved.
    public var id: Int64?
    public var commune: CommuneCode
    public var name: String
    public var departement: String?
    public var category: ServiceCategory
    public var change: AlertChange
    /// The vintages (or snapshot years) the flag compares, and the sources that show it.
    public var vintageFrom: Int?
    public var vintageTo: Int?
    public var sources: String?
    /// When the analysis that found it was saved (ISO 8601, UTC); nil before it is saved.
    public var detectedAt: String?
    /// The commune's rank among the candidates of that analysis, if it is one.
    public var candidateRank: Int?

    public init(
        id: Int64? = nil, commune: CommuneCode, name: String, departement: String?, category: ServiceCategory,
        change: AlertChange, vintageFrom: Int?, vintageTo: Int?, sources: String?, detectedAt: String? = nil,
        candidateRank: Int?
    ) {
        self.id = id
        self.commune = commune
        self.name = name
        self.departement = departement
        self.category = category
        self.change = change
        self.vintageFrom = vintageFrom
        self.vintageTo = vintageTo
        self.sources = sources
        self.detectedAt = detectedAt
        self.candidateRank = candidateRank
    }
}
