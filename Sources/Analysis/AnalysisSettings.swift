/// The `[analysis]` settings: which vintages to compare, the candidate gates and the score.
public struct AnalysisSettings: Sendable, Equatable {
    /// Earlier vintage compared (default: the oldest loaded).
    public var vintageFrom: Int?
    /// Later vintage compared (default: the newest loaded).
    public var vintageTo: Int?
    /// Gate: population municipale strictly below this.
    public var maxPopulation = 3500
    /// Gate: at most this many active cafés/bars (where a café source says so).
    public var maxCafes = 0
    /// Catchment radius, km.
    public var radiusKm = 10.0
    /// The population a café lives on (viability).
    public var band = AnalysisSettings.calibratedBand
    public var weights = AnalysisSettings.calibratedWeights

    public init() {}

    /// Fitted by `ruralmapd calibrate --chosen ../shared/calibration/mille_cafes_2020-01.csv` on
    /// the shared real data (README, "Scoring").
    public static let calibratedBand = PopulationBand(low: 500, high: 1000, falloff: 8)
    public static let calibratedWeights = ScoreWeights([
        .population: 0.82, .vitality: 2.35, .trend: 1.74, .lost: 0.77, .distance: 4.31, .catchment: 0,
    ])

    /// The scorer these settings describe.
    public var scorer: Scorer { Scorer(weights: weights, band: band) }
}
