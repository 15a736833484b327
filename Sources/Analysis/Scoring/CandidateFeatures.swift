import Territory

/// A commune that passed the gates, described before any weight: its population, whether its
/// café status is known, and each term's normalised value with the facts behind it.
///
/// Scoring, validation and calibration all start from these: the weights and the population band
/// can change without re-reading the store.
public struct CandidateFeatures: Sendable {
    public var commune: CommuneCode
    public var population: Int
    /// Whether a café source (Sirene, OSM) covers the commune; if not, "no café" is not known.
    public var cafeKnown: Bool
    /// Normalised values (0…1) of every term but `population`, whose value is the viability.
    public var values: [ScoreTerm.Kind: Double]
    /// The facts behind each term (empty when rebuilt from a stored breakdown for calibration).
    public var facts: [ScoreTerm.Kind: ScoreFacts]

    public init(
        commune: CommuneCode, population: Int, cafeKnown: Bool, values: [ScoreTerm.Kind: Double],
        facts: [ScoreTerm.Kind: ScoreFacts] = [:]
    ) {
        self.commune = commune
        self.population = population
        self.cafeKnown = cafeKnown
        self.values = values
        self.facts = facts
    }

    /// Rebuilds the features of a stored breakdown.
    public init?(commune: CommuneCode, cafeKnown: Bool, breakdown: [ScoreTerm]) {
        guard let population = breakdown.first(where: { $0.term == .population })?.facts.population else { return nil }
        var values: [ScoreTerm.Kind: Double] = [:]
        for term in breakdown where term.term != .population { values[term.term] = term.normalised }
        self.init(commune: commune, population: population, cafeKnown: cafeKnown, values: values)
    }
}
