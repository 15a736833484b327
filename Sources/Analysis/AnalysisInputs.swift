/// Facts about one commune of the target geography.
public struct CommuneFacts: Sendable {
    public var code: String
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
        code: String, name: String, dep: String?, reg: String?, population: Int?, populationYear: Int?,
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

/// Category counts of one commune by one count source (BPE) for one vintage.
public struct CountFact: Sendable {
    public var source: String
    public var vintage: Int
    public var commune: String
    public var category: String
    public var kind: String?
    public var count: Int

    public init(source: String, vintage: Int, commune: String, category: String, kind: String?, count: Int) {
        self.source = source
        self.vintage = vintage
        self.commune = commune
        self.category = category
        self.kind = kind
        self.count = count
    }
}

/// One mapped site (facility, establishment, OSM object).
public struct SiteFact: Sendable {
    public var source: String
    public var sourceKind: String
    public var vintage: Int
    public var commune: String?
    public var category: String
    public var kind: String?
    public var lat: Double?
    public var lon: Double?
    public var usable: Bool
    public var active: Bool
    public var opened: String?
    public var closed: String?

    public init(
        source: String, sourceKind: String, vintage: Int, commune: String?, category: String, kind: String?,
        lat: Double?, lon: Double?, usable: Bool, active: Bool, opened: String?, closed: String?
    ) {
        self.source = source
        self.sourceKind = sourceKind
        self.vintage = vintage
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
    public var categories: [String]
    /// Categories each source kind can see in each vintage: `"bpe|2013"` → categories.
    public var coverage: [String: Set<String>]
    public var counts: [CountFact]
    /// Communes each count source's vintage (`"source|vintage"`) describes: those of the territory
    /// it covers (a commune there without a row has none of its facilities); others are unknown.
    public var countCoverage: [String: Set<String>]
    public var sites: [SiteFact]
    /// Count sources per vintage: `"source|vintage"` → kind.
    public var countSources: [String: (kind: String, vintage: Int, source: String)]

    public init(
        communes: [CommuneFacts], categories: [String], coverage: [String: Set<String>], counts: [CountFact],
        countCoverage: [String: Set<String>], sites: [SiteFact],
        countSources: [String: (kind: String, vintage: Int, source: String)]
    ) {
        self.communes = communes
        self.categories = categories
        self.coverage = coverage
        self.counts = counts
        self.countCoverage = countCoverage
        self.sites = sites
        self.countSources = countSources
    }
}
