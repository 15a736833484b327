/// The kinds of source ruralmapd reads (`kind =` in a `[[source]]` section).
///
/// Stored by its raw value (the config's spelling) in the store's `kind` columns.
public enum SourceKind: String, Sendable, CaseIterable, Codable {
    case cogCommunes = "cog-communes"
    case cogMouvements = "cog-mouvements"
    case population
    case centroids
    case contours
    case bpe
    case sirene
    case osm

    /// Reference data defines the geography every other source is translated to.
    public var isReference: Bool { self == .cogCommunes || self == .cogMouvements }

    /// Ingestion order: the geography first, then what is placed on it, then services.
    public var order: Int { Self.allCases.firstIndex(of: self)! }

    /// Whether this kind carries services (counts or sites) rather than territory.
    public var isService: Bool { self == .bpe || self == .sirene || self == .osm }

    /// Whether its files are registers of establishments or objects of the whole country
    /// (Sirene, OpenStreetMap): they describe every commune, unless their config says otherwise.
    public var coversEveryCommune: Bool { self == .sirene || self == .osm }

    /// The source kinds a category mapping can name (`source` column of `categories.csv`).
    public static let mapped: [SourceKind] = [.bpe, .sirene, .osm]
}
