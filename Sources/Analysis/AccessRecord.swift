import Catalog
import Territory

/// Distance to the nearest site of a category, and the population around without one.
public struct AccessRecord: Sendable, Equatable, Codable {
    public var commune: CommuneCode
    public var category: ServiceCategory
    /// Straight-line km from the commune's centroid to the nearest site today; 0 when it has its own.
    public var nearestKm: Double?
    /// People within the catchment radius living in communes without the category.
    public var catchmentWithout: Int?

    public init(commune: CommuneCode, category: ServiceCategory, nearestKm: Double?, catchmentWithout: Int?) {
        self.commune = commune
        self.category = category
        self.nearestKm = nearestKm
        self.catchmentWithout = catchmentWithout
    }
}
