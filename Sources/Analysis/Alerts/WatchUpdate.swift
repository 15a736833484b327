import Catalog
import Territory

/// What an analysis changes in the watch over the `watched` categories: the alerts it raises, and
/// the last known flags it records (a flag that is not `unknown` and differs from the one known).
public struct WatchUpdate: Sendable {
    public var alerts: [Alert]
    /// A third of a flag's record each: the first analysis records every known flag (174,000 nationally).
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
        for f in result.flags where watched.contains(f.category) && f.flag != .unknown {
            let before = known[f.commune]?[f.category]
            guard before != f.flag else { continue }
            states.append(KnownFlag(commune: f.commune, category: f.category, flag: f.flag))
            guard let change = AlertChange.between(before, f.flag) else { continue }
            let commune = facts[f.commune]
            alerts.append(
                Alert(
                    commune: f.commune, name: commune?.name ?? f.commune.rawValue, departement: commune?.dep,
                    category: f.category, change: change, vintageFrom: f.vintageFrom, vintageTo: f.vintageTo,
                    sources: f.sources, candidateRank: ranks[f.commune]))
        }
        self.alerts = alerts.sorted {
            ($0.commune.rawValue, $0.category.rawValue) < ($1.commune.rawValue, $1.category.rawValue)
        }
        self.states = states
    }
}
