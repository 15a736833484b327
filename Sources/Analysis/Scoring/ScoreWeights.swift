/// The weight of each score term. Defaults are calibrated on real programme choices (see the
/// README, "Scoring"); `ruralmapd calibrate` fits them to a programme's own.
public struct ScoreWeights: Sendable, Equatable {
    private var values: [ScoreTerm.Kind: Double]

    public init(_ values: [ScoreTerm.Kind: Double]) { self.values = values }

    public subscript(kind: ScoreTerm.Kind) -> Double {
        get { values[kind] ?? 0 }
        set { values[kind] = newValue }
    }
}
