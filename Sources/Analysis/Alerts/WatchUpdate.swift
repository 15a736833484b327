import Catalog
import Territory

/// What an analysis changes in the watch over the `watched` categories: the alerts it raises, and
/// the last known flags it records (a flag that is not `unknown` and differs from the one known).
public struct WatchUpdate: Sendable {
    public var alerts: [Alert]
    /// The flags it records as the last known ones.
    public var states: [KnownFlag]

    /// Compares the last known flags (by commune and category) with those of `result`; alerts in
    /// commune then category order.
    public init(
        known: [CommuneCode: [ServiceCategory: LossFlag]], result: Analyzer.Result, communes: [CommuneFacts],
        watched: Set<ServiceCategory>
    ) {
        let facts = Dictionary(communes.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let ranks = Dictionary(
            result.candidates.enumerated().map { ($0.element.commune, $0.offset + 1) }, uniquingKeysWith: { a, _ in a })
        var alerts: [Alert] = []
        var states: [KnownFlag] = []
        for outcome in result.outcomes where watched.contains(outcome.category) {
            for (i, code) in result.communes.enumerated() where outcome.flags[i] != .unknown {
                let flag = outcome.flags[i]
                let before = known[code]?[outcome.category]
                guard before != flag else { continue }
                states.append(KnownFlag(commune: code, category: outcome.category, flag: flag))
                guard let change = AlertChange.between(before, flag) else { continue }
                let commune = facts[code]
                alerts.append(
                    Alert(
                        commune: code, name: commune?.name ?? code.rawValue, departement: commune?.dep,
                        category: outcome.category, change: change, vintageFrom: outcome.vintageFrom,
                        vintageTo: outcome.vintageTo, sources: outcome.sources[i], candidateRank: ranks[code]))
            }
        }
        self.alerts = alerts.sorted {
            ($0.commune.rawValue, $0.category.rawValue) < ($1.commune.rawValue, $1.category.rawValue)
        }
        self.states = states
    }
}
