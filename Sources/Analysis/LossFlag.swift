import Catalog
import Territory

/// What happened to a category of service in a commune between the vintages compared.
public enum LossFlag: String, Sendable, CaseIterable, Codable {
    /// Present before, absent now.
    case lost
    /// Absent in every vintage.
    case never
    /// Present before and now.
    case kept
    /// Absent before, present now.
    case gained
    /// Still present, at a lower level (post office → agence postale → relais poste).
    case downgraded
    /// No data at the earliest or the latest vintage: never reported as lost.
    case unknown

    /// Present today.
    public var isOpen: Bool { self == .kept || self == .gained || self == .downgraded }
    /// Absent today (and known to be).
    public var isAbsent: Bool { self == .lost || self == .never }
    /// A loss the score and the alerts count: gone, or reduced.
    public var isLoss: Bool { self == .lost || self == .downgraded }
}

/// A commune's loss flag for one category.
public struct FlagRecord: Sendable, Equatable, Codable {
    public var commune: CommuneCode
    public var category: ServiceCategory
    public var flag: LossFlag
    /// The earliest and latest vintages compared.
    public var vintageFrom: Int?
    public var vintageTo: Int?
    /// Sources that had data for the comparison, comma-separated.
    public var sources: String?
    /// When sources disagree on today's presence, what each said (`sirene=1 osm=0`).
    public var disagreement: String?

    public init(
        commune: CommuneCode, category: ServiceCategory, flag: LossFlag, vintageFrom: Int?, vintageTo: Int?,
        sources: String?, disagreement: String?
    ) {
        self.commune = commune
        self.category = category
        self.flag = flag
        self.vintageFrom = vintageFrom
        self.vintageTo = vintageTo
        self.sources = sources
        self.disagreement = disagreement
    }
}
