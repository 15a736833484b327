/// One line of the category mapping: a source code counts for a category in some vintages.
///
/// Columns of `categories.csv`: `source;code;category;kind;from;to;label`, where `source` is a
/// mapped ``SourceKind`` (`bpe`, `sirene`, `osm`), `code` a TYPEQU, NAF code or OSM `key=value`,
/// `kind` refines the category (post `office` / `agency` / `relay`), and `from`/`to` bound the
/// vintages (inclusive, empty = open).
public struct CategoryRule: Sendable, Equatable, Codable {
    public var sourceKind: SourceKind
    public var code: String
    public var category: ServiceCategory
    public var kind: ServiceCategory.Kind?
    public var vintageFrom: Int?
    public var vintageTo: Int?
    /// The source's own name for the code (« Boulangerie »).
    public var label: String

    public init(
        sourceKind: SourceKind, code: String, category: ServiceCategory, kind: ServiceCategory.Kind?,
        vintageFrom: Int?, vintageTo: Int?, label: String
    ) {
        self.sourceKind = sourceKind
        self.code = code
        self.category = category
        self.kind = kind
        self.vintageFrom = vintageFrom
        self.vintageTo = vintageTo
        self.label = label
    }

    /// Whether the rule holds in `vintage`.
    public func applies(to vintage: Int) -> Bool {
        (vintageFrom.map { vintage >= $0 } ?? true) && (vintageTo.map { vintage <= $0 } ?? true)
    }
}
