import Catalog
import Territory

/// The last known flag of a commune for a watched category: what the next analysis compares with.
public struct KnownFlag: Sendable, Equatable {
    public var commune: CommuneCode
    public var category: ServiceCategory
    public var flag: LossFlag

    /// `flag`, the last known for `category` in `commune`.
    public init(commune: CommuneCode, category: ServiceCategory, flag: LossFlag) {
        self.commune = commune
        self.category = category
        self.flag = flag
    }
}
