/// The `[analysis]` settings: which vintages to compare, the candidate gates and the score weights.
public struct AnalysisSettings: Sendable, Equatable {
    /// Earlier vintage compared (default: the oldest loaded).
    public var vintageFrom: Int?
    /// Later vintage compared (default: the newest loaded).
    public var vintageTo: Int?
    /// Gate: population municipale strictly below this.
    public var maxPopulation = 3500
    /// Gate: at most this many active cafés/bars.
    public var maxCafes = 0
    /// Catchment radius, km.
    public var radiusKm = 10.0
    /// Population band that scores highest for viability.
    public var bandLow = 200
    public var bandHigh = 1500
    public var weights = ScoreWeights()

    public init() {}
}

/// Weights of the score terms; each term is normalised to 0…1 before weighting.
public struct ScoreWeights: Sendable, Equatable {
    /// The terms, in the order the breakdown lists them.
    public static let keys = ["missing", "lost", "distance", "band", "catchment", "school"]

    public var values: [String: Double] = [
        "missing": 2.0,   // everyday categories absent today
        "lost": 3.0,      // losses, the more recent the heavier
        "distance": 2.0,  // km to the nearest café, grocery, bakery, post office
        "band": 2.0,      // population in the 200–1,500 band
        "catchment": 1.0, // people within R km without a café
        "school": 1.0,    // a school still open
    ]

    public init() {}

    public subscript(key: String) -> Double {
        get { values[key] ?? 0 }
        set { values[key] = newValue }
    }
}
