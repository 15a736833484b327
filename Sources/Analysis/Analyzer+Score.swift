import Catalog
import Foundation
import Territory

extension Analyzer {
    /// Gates the communes, describes each remaining one by its term values, and scores them.
    func score(
        _ communes: [CommuneFacts], outcomes: [CategoryOutcome], cafes: Cafes
    ) throws -> [ScoredCommune] {
        let newest = outcomes.compactMap(\.vintageTo).max() ?? 0
        let scorer = settings.scorer
        let encoder = JSONEncoder()
        var scored: [ScoredCommune] = []
        for (i, commune) in communes.enumerated() {
            guard let population = commune.population, population < settings.maxPopulation else { continue }
            // Without a café source covering the commune, "no café" is not known: it stays in the
            // list, marked unknown, rather than being claimed café-less.
            let cafeKnown = cafes.known[i]
            if cafeKnown {
                guard cafes.active[i] <= settings.maxCafes else { continue }
            }
            let f = Dictionary(
                outcomes.map { ($0.category, $0.flag(at: i, of: commune.code)) }, uniquingKeysWith: { a, _ in a })
            let a = Dictionary(
                outcomes.map { ($0.category, $0.access(at: i, of: commune.code)) }, uniquingKeysWith: { a, _ in a })
            let features = features(
                commune, population: population, cafeKnown: cafeKnown, flags: f, access: a, newest: newest)
            let (score, terms) = scorer.breakdown(features)
            let breakdown = String(decoding: try encoder.encode(terms), as: UTF8.self)
            scored.append(ScoredCommune(commune: commune.code, score: score, breakdown: breakdown))
        }
        return scored.sorted { ($0.score, $1.commune) > ($1.score, $0.commune) }
    }

    /// Each term's normalised value (0…1) and the facts behind it.
    private func features(
        _ commune: CommuneFacts, population: Int, cafeKnown: Bool, flags f: [ServiceCategory: FlagRecord],
        access a: [ServiceCategory: AccessRecord], newest: Int
    ) -> CandidateFeatures {
        var values: [ScoreTerm.Kind: Double] = [:]
        var facts: [ScoreTerm.Kind: ScoreFacts] = [:]
        func known(_ categories: [ServiceCategory]) -> [ServiceCategory] {
            categories.filter { f[$0].map { $0.flag != .unknown } ?? false }
        }

        let services = known(Self.vitalServices)
        let present = services.filter { f[$0]?.flag.isOpen ?? false }
        values[.vitality] = services.isEmpty ? 0 : Double(present.count) / Double(services.count)
        facts[.vitality] = with(ScoreFacts()) {
            $0.present = present
            $0.known = services.count
        }

        var trend = ScoreFacts()
        values[.trend] = 0.5  // stable, or unknown with one population year
        if let previous = commune.previousPopulation, previous > 0, let from = commune.previousPopulationYear,
            let to = commune.populationYear
        {
            let change = Double(population - previous) / Double(previous)
            values[.trend] = min(1, max(0, 0.5 + change / (2 * Self.trendSaturation)))
            trend.fromYear = from
            trend.toYear = to
            trend.previousPopulation = previous
            trend.changePercent = (change * 1000).rounded() / 10
        }
        facts[.trend] = trend

        let watched = known(Self.everyday)
        let lost = watched.compactMap { f[$0] }.filter(\.flag.isLoss)
        // A loss seen in the latest data weighs fully; one only seen years ago fades (10-year scale).
        let recency = lost.map { exp(-Double(newest - ($0.vintageTo ?? newest)) / 10) }.reduce(0, +)
        values[.lost] = watched.isEmpty ? 0 : min(1, recency / Double(watched.count) * 2)
        facts[.lost] = with(ScoreFacts()) {
            $0.losses = lost.map { ScoreFacts.Loss(category: $0.category, from: $0.vintageFrom, to: $0.vintageTo) }
        }

        let distances = Self.distanceCategories.compactMap { c in
            a[c]?.nearestKm.map { ScoreFacts.Distance(category: c, km: $0) }
        }
        values[.distance] =
            distances.isEmpty ? 0 : distances.map { min($0.km, 20) / 20 }.reduce(0, +) / Double(distances.count)
        facts[.distance] = with(ScoreFacts()) { $0.distances = distances }

        let around = cafeKnown ? a[.cafeBar]?.catchmentWithout ?? 0 : 0
        values[.catchment] = min(1, Double(around) / 5000)
        facts[.catchment] = with(ScoreFacts()) {
            $0.cafeKnown = cafeKnown
            if cafeKnown {
                $0.people = around
                $0.radiusKm = settings.radiusKm
            }
        }
        return CandidateFeatures(
            commune: commune.code, population: population, cafeKnown: cafeKnown, values: values, facts: facts)
    }

    /// Population change (either way) at which the trend term saturates.
    static let trendSaturation = 0.05
}

/// `value` changed by `change`: builds a value in one expression.
private func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}
