import Territory

/// Fits the score's weights and population band to rank chosen communes high among all gated
/// communes, and measures the fit honestly by k-fold cross-validation.
///
/// The score is linear in its weights once the band is fixed (each term is weight × value ×
/// viability), so for each band of a small grid a logistic regression of "chosen" on the
/// viability-scaled term values gives the weights ranking chosen communes highest (``LogisticFit``);
/// the band whose fit ranks the training communes best wins. Cross-validation holds out each fold
/// of the chosen communes in turn, fits on the rest (band included), and measures where the
/// held-out communes rank among all gated communes: the figure to trust, unlike the in-sample fit.
public struct Calibrator: Sendable {
    /// Folds of the chosen communes (each held out once).
    public var folds: Int
    /// Seed of the folds and of the sample of other communes each fit reads.
    public var seed: UInt64
    /// Gated communes not chosen that each fit reads, sampled (all when fewer): the fit needs the
    /// contrast, not every commune, and stays fast.
    public var sample: Int = 6000
    /// L2 penalty on the standardised weights.
    public var regularisation: Double = 10
    /// Bands tried.
    public var bands: [PopulationBand]
    /// Terms fitted; the others keep weight 0 (to measure what a term adds).
    public var terms: [ScoreTerm.Kind] = ScoreTerm.Kind.allCases

    /// Bands tried by default: full from 300, 500 or 700 to 700, 1,000 or 1,500 inhabitants,
    /// falling to nothing at a factor 2, 4 or 8 beyond.
    public static let defaultBands: [PopulationBand] = [300, 500, 700].flatMap { low in
        [700, 1000, 1500].flatMap { high in [2.0, 4, 8].map { PopulationBand(low: low, high: high, falloff: $0) } }
    }

    public init(folds: Int = 6, seed: UInt64 = 1, bands: [PopulationBand] = Calibrator.defaultBands) {
        self.folds = folds
        self.seed = seed
        self.bands = bands
    }

    /// The result: the weights and band fitted on every chosen commune, and the cross-validated
    /// evaluation of the procedure.
    public struct Result: Sendable, Equatable, Codable {
        public var band: PopulationBand
        /// Weights scaled to sum to 10 (rankings do not depend on the scale).
        public var weights: [String: Double]
        public var crossValidated: RankingEvaluation
        public var folds: Int
        public var seed: UInt64
    }

    /// Calibrates on `features` (every gated commune) and the communes of `chosen` among them.
    public func calibrate(features: [CandidateFeatures], chosen: Set<CommuneCode>) -> Result {
        var random = SplitMix64(seed: seed)
        let positives = features.indices.filter { chosen.contains(features[$0].commune) }.shuffled(using: &random)
        let negatives = features.indices.filter { !chosen.contains(features[$0].commune) }
        let sampled = negatives.count <= sample ? negatives : Array(negatives.shuffled(using: &random).prefix(sample))
        let k = max(2, min(folds, positives.count))
        var heldOut: [String: Double] = [:]
        for fold in 0..<k where positives.count >= 2 {
            let test = positives.indices.filter { $0 % k == fold }.map { positives[$0] }
            let train = positives.filter { !test.contains($0) }
            let scorer = fit(features, positives: train, negatives: sampled)
            let scores = features.map(scorer.score)
            for (i, p) in zip(test, RankingEvaluation.percentiles(scores: scores, of: test)) {
                heldOut[features[i].commune.rawValue] = p
            }
        }
        let final = fit(features, positives: positives, negatives: sampled)
        var weights: [String: Double] = [:]
        for kind in ScoreTerm.Kind.allCases { weights[kind.rawValue] = final.weights[kind] }
        return Result(
            band: final.band, weights: weights, crossValidated: RankingEvaluation(percentiles: heldOut), folds: k,
            seed: seed)
    }

    /// The scorer (band and weights) that ranks `positives` best among themselves and `negatives`.
    func fit(_ features: [CandidateFeatures], positives: [Int], negatives: [Int]) -> Scorer {
        let rows = positives + negatives
        let labels = rows.indices.map { $0 < positives.count }
        var best: (scorer: Scorer, fit: Double)?
        for band in bands {
            let kinds = ScoreTerm.Kind.allCases
            var x: [Double] = []
            x.reserveCapacity(rows.count * kinds.count)
            for i in rows {
                let f = features[i]
                let viability = band.viability(f.population)
                for kind in kinds {
                    x.append(
                        !terms.contains(kind) ? 0 : kind == .population ? viability : viability * (f.values[kind] ?? 0))
                }
            }
            let w = LogisticFit(x: x, labels: labels, features: kinds.count, lambda: regularisation).weights()
            let sum = w.reduce(0, +)
            var weights = ScoreWeights([:])
            for (kind, value) in zip(kinds, w) { weights[kind] = sum > 0 ? Scorer.hundredths(value / sum * 10) : 0 }
            let scorer = Scorer(weights: weights, band: band)
            let scores = rows.map { scorer.score(features[$0]) }
            let fit = RankingEvaluation.percentiles(scores: scores, of: Array(0..<positives.count)).reduce(0, +)
            if best == nil || fit > best!.fit { best = (scorer, fit) }
        }
        return best?.scorer
            ?? Scorer(weights: ScoreWeights([:]), band: bands.first ?? PopulationBand(low: 200, high: 1500, falloff: 2))
    }
}
