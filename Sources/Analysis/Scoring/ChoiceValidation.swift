import Territory

/// How a score ranks the communes a programme chose, next to the population rule: the report of
/// `ruralmapd validate`.
public struct ChoiceValidation: Sendable, Equatable, Codable {
    /// Gated communes (the list every ranking is over).
    public var gated: Int
    /// Chosen communes found among them.
    public var chosen: Int
    public var score: RankingEvaluation
    public var populationRule: RankingEvaluation
    /// Per term, the mean normalised value of the chosen communes and of all gated communes:
    /// which terms pull the chosen communes up or down.
    public var terms: [TermComparison]

    /// A term's mean normalised value among the chosen and among all gated communes.
    public struct TermComparison: Sendable, Equatable, Codable {
        public var term: ScoreTerm.Kind
        public var chosen: Double
        public var all: Double
    }

    /// Ranks `features` (every gated commune) with `scorer` and with the population rule, and
    /// measures where the communes of `chosen` stand.
    public init(features: [CandidateFeatures], chosen: Set<CommuneCode>, scorer: Scorer) {
        let codes = features.map(\.commune.rawValue)
        let positions = features.indices.filter { chosen.contains(features[$0].commune) }
        gated = features.count
        self.chosen = positions.count
        score = RankingEvaluation(scores: features.map(scorer.score), codes: codes, chosen: positions)
        populationRule = RankingEvaluation(
            scores: features.map { PopulationRule.score($0.population) }, codes: codes, chosen: positions)
        func normalised(_ kind: ScoreTerm.Kind, _ f: CandidateFeatures) -> Double {
            kind == .population ? scorer.band.viability(f.population) : f.values[kind] ?? 0
        }
        func mean(_ kind: ScoreTerm.Kind, _ rows: [Int]) -> Double {
            rows.isEmpty ? 0 : rows.map { normalised(kind, features[$0]) }.reduce(0, +) / Double(rows.count)
        }
        terms = ScoreTerm.Kind.allCases.map {
            TermComparison(term: $0, chosen: mean($0, positions), all: mean($0, Array(features.indices)))
        }
    }
}
