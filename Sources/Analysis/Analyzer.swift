import Catalog
import Territory

/// Computes loss flags, access distances, catchments and candidate scores for every commune.
///
/// Sources combine per category: BPE counts per vintage, Sirene establishments (present in year Y
/// if opened by 1 January Y and not closed by then), OSM objects (today only). A count file
/// describes a territory: a commune of it without a row has none of the file's facilities (the
/// village that lost everything is `lost`); a commune outside it is `unknown` there, never `lost`.
public struct Analyzer: Sendable {
    public let settings: AnalysisSettings

    /// Meeting places and everyday services whose loss the score counts.
    public static let everyday: [ServiceCategory] = [
        .cafeBar, .restaurant, .grocery, .bakery, .post, .school, .pharmacy, .doctor,
    ]
    /// Everyday services whose presence makes a village lively (cafés aside: the gate is about them).
    static let vitalServices: [ServiceCategory] = [.restaurant, .grocery, .bakery, .post, .school, .doctor, .pharmacy]
    /// Categories whose distance enters the score.
    public static let distanceCategories: [ServiceCategory] = [.cafeBar, .grocery, .bakery, .post]

    public init(settings: AnalysisSettings) { self.settings = settings }

    /// The result of one analysis.
    public struct Result: Sendable {
        /// The communes analysed: a commune's position here is its position in every column.
        public var communes: [CommuneCode]
        /// What was found for each category, in the order of the categories.
        public var outcomes: [CategoryOutcome]
        public var candidates: [ScoredCommune]
        public var vintageFrom: Int?
        public var vintageTo: Int?
        /// Communes that had a café, bar or restaurant and have none now.
        public var lostMeetingPlace: Set<CommuneCode>
        /// Communes a café source covers: elsewhere "no café" is not known.
        public var cafeKnown: Set<CommuneCode>

        /// A result over `communes`, whose positions index every outcome's columns.
        public init(
            communes: [CommuneCode], outcomes: [CategoryOutcome], candidates: [ScoredCommune], vintageFrom: Int?,
            vintageTo: Int?, lostMeetingPlace: Set<CommuneCode>, cafeKnown: Set<CommuneCode>
        ) {
            self.communes = communes
            self.outcomes = outcomes
            self.candidates = candidates
            self.vintageFrom = vintageFrom
            self.vintageTo = vintageTo
            self.lostMeetingPlace = lostMeetingPlace
            self.cafeKnown = cafeKnown
        }

        /// Every flag, commune by commune, each category in order: records made as they are read.
        /// Commune by commune as the store's key (commune, category) starts, so that saving them
        /// appends to its index instead of going over it once per category.
        public var flags: some Sequence<FlagRecord> {
            communes.indices.lazy.flatMap { i in outcomes.lazy.map { $0.flag(at: i, of: communes[i]) } }
        }

        /// Every distance and catchment, in the order of ``flags``.
        public var access: some Sequence<AccessRecord> {
            communes.indices.lazy.flatMap { i in outcomes.lazy.map { $0.access(at: i, of: communes[i]) } }
        }
    }

    /// Analyses `input`, freeing each part of it once the last step needing it is done (the
    /// caller hands it over: a national analysis's sites and positions are 33 MB).
    /// - Throws: `EncodingError` when a score's terms cannot be encoded (a value not finite).
    public func analyze(_ input: consuming AnalysisInputs) throws -> Result {
        // The snapshots live only while the flags are made: they are freed before the distances.
        var found = flagCommunes(input)
        input.countSources = [:]
        do {
            // The distances need only where today's usable sites are: 16 bytes a site, not 48, as
            // the BPE facilities are already held.
            var positions = input.facilityPositions
            input.facilityPositions = [:]
            for (key, source) in input.siteSources {
                positions[key, default: [:]].merge(source.usablePositions(input.categories), uniquingKeysWith: +)
            }
            input.siteSources = [:]
            measureAccess(
                input.communes, categories: input.categories, positions: positions, today: found.today,
                into: &found.outcomes)
        }
        let candidates = try score(
            input.communes, outcomes: found.outcomes, cafes: found.cafes)
        return Result(
            communes: input.communes.map(\.code), outcomes: found.outcomes, candidates: candidates,
            vintageFrom: found.vintageFrom, vintageTo: found.vintageTo, lostMeetingPlace: found.lostMeetingPlace,
            cafeKnown: Set(found.cafes.known.indices.filter { found.cafes.known[$0] }.map { input.communes[$0].code }))
    }
}
