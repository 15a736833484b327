import Catalog

/// One term of a candidate's score: what it adds, its normalised value and the facts behind it.
///
/// A candidate's score is the sum of its terms. Each term adds its weight × its normalised value
/// (0…1) × the commune's **viability**, read from its population: a village too small to keep a
/// café open cannot top the list however much it lacks. The `population` term's normalised value
/// is the viability itself (it adds weight × viability).
public struct ScoreTerm: Sendable, Equatable, Codable {
    /// The terms, in the order breakdowns list them. Each is explainable to a mayor in a sentence.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// "684 inhabitants: enough to keep a café open." 1 inside the population band, falling
        /// with the ratio to the band outside it.
        case population
        /// "The village still has a school, a restaurant and a post office." Share of the
        /// everyday services (other than cafés) still open.
        case vitality
        /// "The population grew by 4.6 % from 2021 to 2023." 0.5 when stable, 1 at +5 % or more.
        case trend
        /// "It lost its grocery and its bakery." Losses of meeting places and everyday services,
        /// the more recent the heavier.
        case lost
        /// "The nearest café is 8.9 km away." Distance to the nearest café, grocery, bakery and
        /// post office, each capped at 20 km.
        case distance
        /// "2,300 people within 10 km live in communes without a café."
        case catchment
    }

    public var term: Kind
    /// What the term adds to the score.
    public var value: Double
    /// The term's own value, 0…1, before weight and viability.
    public var normalised: Double
    /// Why, in English words (the page translates ``facts``).
    public var detail: String
    /// The reason as data, for any language.
    public var facts: ScoreFacts

    public init(term: Kind, value: Double, normalised: Double, detail: String, facts: ScoreFacts) {
        self.term = term
        self.value = value
        self.normalised = normalised
        self.detail = detail
        self.facts = facts
    }
}

/// The facts behind a score term, language-neutral; each term fills the fields it uses.
public struct ScoreFacts: Sendable, Equatable, Codable {
    /// A category lost between two vintages.
    public struct Loss: Sendable, Equatable, Codable {
        public var category: ServiceCategory
        public var from: Int?
        public var to: Int?

        public init(category: ServiceCategory, from: Int?, to: Int?) {
            self.category = category
            self.from = from
            self.to = to
        }
    }

    /// The distance to the nearest site of a category.
    public struct Distance: Sendable, Equatable, Codable {
        public var category: ServiceCategory
        public var km: Double

        public init(category: ServiceCategory, km: Double) {
            self.category = category
            self.km = km
        }
    }

    // population
    public var population: Int?
    public var viability: Double?
    public var bandLow: Int?
    public var bandHigh: Int?
    public var bandFalloff: Double?
    // vitality: the categories still open among those known
    public var present: [ServiceCategory]?
    public var known: Int?
    // trend
    public var fromYear: Int?
    public var toYear: Int?
    public var previousPopulation: Int?
    public var changePercent: Double?
    // lost
    public var losses: [Loss]?
    // distance
    public var distances: [Distance]?
    // catchment
    public var people: Int?
    public var radiusKm: Double?
    /// False when no café source covers the commune: its café status, and so its catchment, is unknown.
    public var cafeKnown: Bool?

    public init() {}
}
