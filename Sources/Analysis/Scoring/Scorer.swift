import Foundation
import Geo

/// Turns a commune's features into its score and breakdown: each term adds weight × normalised
/// value × viability (the population term adds weight × viability), rounded to hundredths so
/// that the breakdown sums exactly to the score.
public struct Scorer: Sendable {
    public var weights: ScoreWeights
    public var band: PopulationBand

    public init(weights: ScoreWeights, band: PopulationBand) {
        self.weights = weights
        self.band = band
    }

    /// The score, as ranked (the sum of the rounded terms).
    public func score(_ features: CandidateFeatures) -> Double {
        let viability = band.viability(features.population)
        var total = 0.0
        for kind in ScoreTerm.Kind.allCases {
            total += Self.hundredths(contribution(kind, features, viability: viability))
        }
        return Self.hundredths(total)
    }

    /// The score and its terms, with their reasons.
    public func breakdown(_ features: CandidateFeatures) -> (score: Double, terms: [ScoreTerm]) {
        let viability = band.viability(features.population)
        let terms = ScoreTerm.Kind.allCases.map { kind in
            var facts = features.facts[kind] ?? ScoreFacts()
            if kind == .population {
                facts.population = features.population
                facts.viability = Self.hundredths(viability)
                facts.bandLow = band.low
                facts.bandHigh = band.high
                facts.bandFalloff = band.falloff
            }
            return ScoreTerm(
                term: kind, value: Self.hundredths(contribution(kind, features, viability: viability)),
                normalised: kind == .population ? viability : features.values[kind] ?? 0,
                detail: ScoreExplanation.english(kind, facts), facts: facts)
        }
        return (Self.hundredths(terms.map(\.value).reduce(0, +)), terms)
    }

    private func contribution(_ kind: ScoreTerm.Kind, _ features: CandidateFeatures, viability: Double) -> Double {
        kind == .population ? weights[kind] * viability : weights[kind] * (features.values[kind] ?? 0) * viability
    }

    static func hundredths(_ x: Double) -> Double { (x * 100).rounded() / 100 }
}

/// A score term's reason in English words, from its facts (the page words them in French from
/// the same facts).
enum ScoreExplanation {
    static func english(_ kind: ScoreTerm.Kind, _ f: ScoreFacts) -> String {
        func number(_ x: Double, _ decimals: Int) -> String {
            DecimalText.format(x, decimals: decimals, trimmed: false)
        }
        switch kind {
        case .population:
            return "\(f.population ?? 0) inhabitants: viability \(number(f.viability ?? 0, 2)) "
                + "(full from \(f.bandLow ?? 0) to \(f.bandHigh ?? 0))"
        case .vitality:
            let present = f.present ?? []
            return present.isEmpty
                ? "no everyday service left"
                : "still has: \(present.map(\.rawValue).joined(separator: ", ")) (\(present.count) of \(f.known ?? 0))"
        case .trend:
            guard let change = f.changePercent, let from = f.fromYear, let to = f.toYear else {
                return "one population year loaded: no trend"
            }
            return "population \(change >= 0 ? "+" : "")\(number(change, 1)) % from \(from) to \(to)"
        case .lost:
            let losses = f.losses ?? []
            return losses.isEmpty
                ? "no loss"
                : "lost: "
                    + losses.map {
                        "\($0.category) (\($0.from.map(String.init) ?? "?")→\($0.to.map(String.init) ?? "?"))"
                    }
                    .joined(separator: ", ")
        case .distance:
            let distances = f.distances ?? []
            return distances.isEmpty
                ? "no distance known"
                : distances.map { "\($0.category) \(number($0.km, 1)) km" }.joined(separator: ", ")
        case .catchment:
            guard f.cafeKnown == true else {
                return "café status unknown (not covered by a café source: Sirene or OpenStreetMap): "
                    + "catchment unknown"
            }
            return
                "\(f.people ?? 0) inhabitants within \(number(f.radiusKm ?? 0, 0)) km live in communes without a café"
        }
    }
}
