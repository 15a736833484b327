import Foundation

/// The population a café can live on: viability 1 inside `low…high`; outside, it falls linearly
/// with the logarithm of the ratio to the band and reaches 0 at `low / falloff` and
/// `high × falloff` (with `falloff = 2`: half at 0.7 × low, none at half of low).
///
/// Ratios rather than differences: 60 inhabitants are as far below 120 as 1,000 are below 2,000.
public struct PopulationBand: Sendable, Equatable, Codable {
    public var low: Int
    public var high: Int
    /// Factor beyond the band at which viability reaches 0 (> 1).
    public var falloff: Double

    public init(low: Int, high: Int, falloff: Double) {
        self.low = low
        self.high = high
        self.falloff = falloff
    }

    /// Viability of a commune of `population` inhabitants, 0…1.
    public func viability(_ population: Int) -> Double {
        let p = Double(max(population, 1))
        let l = Double(max(low, 1))
        let h = Double(max(high, low, 1))
        let outside = p < l ? log(l / p) : p > h ? log(p / h) : 0
        guard outside > 0 else { return 1 }
        guard falloff > 1 else { return 0 }
        return max(0, 1 - outside / log(falloff))
    }
}
