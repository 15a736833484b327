import Foundation

/// Where chosen communes stand in a ranking of all gated communes.
///
/// A commune's percentile is the share of the other gated communes ranked below it, ties counting
/// half (1 = top of the list, 0 = bottom; a random ranking averages 0.5).
public struct RankingEvaluation: Sendable, Equatable, Codable {
    /// Mean percentile of the chosen communes.
    public var meanPercentile: Double
    /// Share of the chosen communes in the top 5 %, 10 % and 20 % of the list.
    public var top5: Double
    public var top10: Double
    public var top20: Double
    /// Each chosen commune's percentile.
    public var percentiles: [String: Double]

    /// Evaluates `scores` (higher ranks first) for the communes at `chosen` positions.
    public init(scores: [Double], codes: [String], chosen: [Int]) {
        self.init(
            percentiles: Dictionary(
                uniqueKeysWithValues: zip(chosen.map { codes[$0] }, Self.percentiles(scores: scores, of: chosen))))
    }

    /// Aggregates percentiles measured elsewhere (the held-out folds of a cross-validation).
    public init(percentiles: [String: Double]) {
        self.percentiles = percentiles
        let values = Array(percentiles.values)
        let n = Double(max(values.count, 1))
        meanPercentile = values.reduce(0, +) / n
        func share(_ top: Double) -> Double { Double(values.filter { $0 >= 1 - top - 1e-12 }.count) / n }
        top5 = share(0.05)
        top10 = share(0.10)
        top20 = share(0.20)
    }

    /// Mid-rank percentiles of `positions` among `scores`.
    static func percentiles(scores: [Double], of positions: [Int]) -> [Double] {
        let sorted = scores.sorted()
        let others = Double(max(scores.count - 1, 1))
        return positions.map { i in
            let s = scores[i]
            let below = lowerBound(sorted, s)
            let equal = lowerBound(sorted, s.nextUp) - below
            return (Double(below) + 0.5 * Double(equal - 1)) / others
        }
    }

    /// The first index of `sorted` whose value is not below `x`.
    private static func lowerBound(_ sorted: [Double], _ x: Double) -> Int {
        var lo = 0
        var hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// The one-line rule a score has to beat: rank by closeness to 700 inhabitants, as a ratio (350
/// and 1,400 are equally close).
public enum PopulationRule {
    public static let centre = 700.0

    public static func score(_ population: Int) -> Double {
        -abs(log(Double(max(population, 1)) / centre))
    }
}
