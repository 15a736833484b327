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

/// Counts of one category in one commune by a count source (BPE) for one vintage.
///
/// Communes and categories are positions (in ``AnalysisInputs/communes`` and
/// ``AnalysisInputs/categories``): 12 bytes a count, where codes took 70 (a national BPE has
/// hundreds of thousands of them).
public struct CountFact: Sendable {
    public var commune: Int32
    public var category: UInt16
    /// The level of service of its kind (``ServiceCategory/Kind/level``).
    public var level: UInt8
    public var count: Int32

    /// A count of `count` facilities of the category at position `category` in the commune at
    /// position `commune`, of service `level`.
    public init(commune: Int32, category: UInt16, level: UInt8, count: Int32) {
        self.commune = commune
        self.category = category
        self.level = level
        self.count = count
    }
}

/// A count source (BPE) at one vintage: what its codes can see, which communes it describes, and
/// its counts.
public struct CountSource: Sendable {
    public var kind: SourceKind
    /// Categories its codes map to in its vintage.
    public var categories: Set<ServiceCategory>
    /// Communes of the territory it covers (one there without a row has none of its facilities);
    /// the others are unknown to it.
    public var describes: Set<CommuneCode>
    /// Its counts of communes of the target geography, of mapped categories.
    public var counts: [CountFact]

    /// A count source of `kind` whose codes see `categories`, describing `describes`.
    public init(kind: SourceKind, categories: Set<ServiceCategory>, describes: Set<CommuneCode>, counts: [CountFact]) {
        self.kind = kind
        self.categories = categories
        self.describes = describes
        self.counts = counts
    }
}

/// One mapped Sirene establishment or OSM object.
///
/// Its commune and category are positions (in ``AnalysisInputs/communes`` and
/// ``AnalysisInputs/categories``) and its dates numbers: 48 bytes a site, where codes and text
/// took 150.
public struct SiteFact: Sendable {
    public var position: Coordinate?
    /// Nil when it is in no commune of the target geography (it still counts for distances).
    public var commune: Int32?
    /// When it opened, `YYYYMMDD` (`DayText.number`); nil when not known.
    public var opened: Int32?
    /// When it closed, as `opened`; nil when open or not known.
    public var closed: Int32?
    public var category: UInt16
    /// The level of service of its kind (``ServiceCategory/Kind/level``).
    public var level: UInt8
    /// Whether its position may serve for distances (not a poor or randomised geolocation).
    public var usable: Bool
    public var active: Bool

    /// A site; `commune` and `category` are positions, `opened` and `closed` days (`YYYYMMDD`).
    public init(
        position: Coordinate?, commune: Int32?, opened: Int32?, closed: Int32?, category: UInt16, level: UInt8,
        usable: Bool, active: Bool
    ) {
        self.position = position
        self.commune = commune
        self.opened = opened
        self.closed = closed
        self.category = category
        self.level = level
        self.usable = usable
        self.active = active
    }
}

/// A site source (Sirene, OSM) at one vintage: its kind, its coverage and its sites.
public struct SiteSource: Sendable {
    public var kind: SourceKind
    /// The communes it describes; nil: every commune (a national file).
    public var coverage: Set<CommuneCode>?
    public var sites: [SiteFact]

    /// A site source of `kind` covering `coverage` (nil: every commune).
    public init(kind: SourceKind, coverage: Set<CommuneCode>?, sites: [SiteFact]) {
        self.kind = kind
        self.coverage = coverage
        self.sites = sites
    }
}

extension SiteSource {
    /// Where its open sites usable for distances are, by category (`categories`: the categories
    /// its sites name by position).
    func usablePositions(_ categories: [ServiceCategory]) -> [ServiceCategory: [Coordinate]] {
        var positions: [ServiceCategory: [Coordinate]] = [:]
        for s in sites where s.usable && s.active {
            if let position = s.position { positions[categories[Int(s.category)], default: []].append(position) }
        }
        return positions
    }
}

/// Everything the analysis reads, in one consistent snapshot of the store.
public struct AnalysisInputs: Sendable {
    /// The communes of the target geography: a commune's position here is how counts and sites
    /// name it.
    public var communes: [CommuneFacts]
    /// The categories: a category's position here is how counts and sites name it.
    public var categories: [ServiceCategory]
    public var countSources: [SourceVintage: CountSource]
    /// The Sirene and OSM sites: their presence, dates and positions (BPE facilities are in
    /// ``facilityPositions``: a BPE site here would count as a site series of its own).
    public var siteSources: [SourceVintage: SiteSource]
    /// Where the BPE facilities usable for distances are, by source and category: positions only,
    /// 16 bytes each (the presence of BPE facilities comes from the counts, and they are most of
    /// the sites).
    public var facilityPositions: [SourceVintage: [ServiceCategory: [Coordinate]]]
    /// Categories the mapping of each site kind can see (Sirene NAF codes, OSM tags).
    public var siteCategories: [SourceKind: Set<ServiceCategory>]

    public init(
        communes: [CommuneFacts], categories: [ServiceCategory], countSources: [SourceVintage: CountSource],
        siteSources: [SourceVintage: SiteSource], facilityPositions: [SourceVintage: [ServiceCategory: [Coordinate]]],
        siteCategories: [SourceKind: Set<ServiceCategory>]
    ) {
        self.communes = communes
        self.categories = categories
        self.countSources = countSources
        self.siteSources = siteSources
        self.facilityPositions = facilityPositions
        self.siteCategories = siteCategories
    }
}
