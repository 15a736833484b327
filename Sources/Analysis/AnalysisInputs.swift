import Catalog
import Geo
import Territory

/// Facts about one commune of the target geography.
public struct CommuneFacts: Sendable {
    public var code: CommuneCode
    public var name: String
    public var dep: String?
    public var reg: String?
    public var population: Int?
    public var populationYear: Int?
    /// The population of the year before `populationYear` among those loaded, for its trend.
    public var previousPopulation: Int?
    public var previousPopulationYear: Int?
    public var lat: Double?
    public var lon: Double?

    public init(
        code: CommuneCode, name: String, dep: String?, reg: String?, population: Int?, populationYear: Int?,
        previousPopulation: Int? = nil, previousPopulationYear: Int? = nil, lat: Double?, lon: Double?
    ) {
        self.code = code
        self.name = name
        self.dep = dep
        self.reg = reg
        self.population = population
        self.populationYear = populationYear
        self.previousPopulation = previousPopulation
        self.previousPopulationYear = previousPopulationYear
        self.lat = lat
        self.lon = lon
    }
}

/// One source at one vintage (`bpe2013`, 2013).
public struct SourceVintage: Hashable, Sendable, Comparable {
    public var source: String
    public var vintage: Int

    public init(source: String, vintage: Int) {
        self.source = source
        self.vintage = vintage
    }

    public static func < (a: SourceVintage, b: SourceVintage) -> Bool { (a.vintage, a.source) < (b.vintage, b.source) }
}

/// Category counts of one commune by one count source (BPE) for one vintage.
public struct CountFact: Sendable {
    public var source: SourceVintage
    public var commune: CommuneCode
    public var category: ServiceCategory
    public var kind: ServiceCategory.Kind?
    public var count: Int

    public init(
        source: SourceVintage, commune: CommuneCode, category: ServiceCategory, kind: ServiceCategory.Kind?, count: Int
    ) {
        self.source = source
        self.commune = commune
        self.category = category
        self.kind = kind
        self.count = count
    }
}

/// A count source (BPE) at one vintage: what its codes can see and which communes it describes.
public struct CountSource: Sendable {
    public var kind: SourceKind
    /// Categories its codes map to in its vintage.
    public var categories: Set<ServiceCategory>
    /// Communes of the territory it covers (one there without a row has none of its facilities);
    /// the others are unknown to it.
    public var describes: Set<CommuneCode>

    public init(kind: SourceKind, categories: Set<ServiceCategory>, describes: Set<CommuneCode>) {
        self.kind = kind
        self.categories = categories
        self.describes = describes
    }
}

/// One mapped Sirene establishment or OSM object.
public struct SiteFact: Sendable {
    public var source: SourceVintage
    public var sourceKind: SourceKind
    public var commune: CommuneCode?
    public var category: ServiceCategory
    public var kind: ServiceCategory.Kind?
    public var lat: Double?
    public var lon: Double?
    /// Whether its position may serve for distances (not a poor or randomised geolocation).
    public var usable: Bool
    public var active: Bool
    /// `YYYY-MM-DD` when known.
    public var opened: String?
    public var closed: String?

    public init(
        source: SourceVintage, sourceKind: SourceKind, commune: CommuneCode?, category: ServiceCategory,
        kind: ServiceCategory.Kind?, lat: Double?, lon: Double?, usable: Bool, active: Bool, opened: String?,
        closed: String?
    ) {
        self.source = source
        self.sourceKind = sourceKind
        self.commune = commune
        self.category = category
        self.kind = kind
        self.lat = lat
        self.lon = lon
        self.usable = usable
        self.active = active
        self.opened = opened
        self.closed = closed
    }
}

/// Everything the analysis reads, in one consistent snapshot of the store.
public struct AnalysisInputs: Sendable {
    public var communes: [CommuneFacts]
    public var categories: [ServiceCategory]
    public var countSources: [SourceVintage: CountSource]
    public var counts: [CountFact]
    /// The Sirene and OSM sites: their presence, dates and positions (BPE facilities are in
    /// ``facilityPositions``: a BPE site here would count as a site series of its own).
    public var sites: [SiteFact]
    /// Where the BPE facilities usable for distances are, by source and category: positions only,
    /// 16 bytes each instead of a site's 150 (the presence of BPE facilities comes from the counts,
    /// and they are most of the sites).
    public var facilityPositions: [SourceVintage: [ServiceCategory: [Coordinate]]]
    /// Categories the mapping of each site kind can see (Sirene NAF codes, OSM tags).
    public var siteCategories: [SourceKind: Set<ServiceCategory>]
    /// Communes each site source describes, for sources that do not cover every commune.
    public var siteCoverage: [String: Set<CommuneCode>]

    public init(
        communes: [CommuneFacts], categories: [ServiceCategory], countSources: [SourceVintage: CountSource],
        counts: [CountFact], sites: [SiteFact], facilityPositions: [SourceVintage: [ServiceCategory: [Coordinate]]],
        siteCategories: [SourceKind: Set<ServiceCategory>], siteCoverage: [String: Set<CommuneCode>]
    ) {
        self.communes = communes
        self.categories = categories
        self.countSources = countSources
        self.counts = counts
        self.sites = sites
        self.facilityPositions = facilityPositions
        self.siteCategories = siteCategories
        self.siteCoverage = siteCoverage
    }
}
