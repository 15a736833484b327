import Catalog
import Territory

extension Analyzer {
    /// Snapshots of one series describe the same kind of evidence over time (all BPE vintages; one
    /// Sirene source; one OSM source): the latest of each series makes up "today".
    enum Series: Hashable {
        case counts(SourceKind)
        case sites(String)
    }

    /// One source's view of one vintage.
    struct Snapshot {
        var series: Series
        var source: SourceVintage
        /// The position of its source's name among every snapshot's, sorted: a flag's sources are
        /// listed by it, without text per commune.
        var name: Int
        var categories: Set<ServiceCategory>
        /// Whether it describes each commune, by position; nil: every commune (Sirene, OSM).
        var covered: [Bool]?
        var presence: PresenceTable

        var vintage: Int { source.vintage }

        func describes(_ commune: Int) -> Bool { covered?[commune] ?? true }

        /// The snapshots of `snapshots` at the latest vintage of their series: together, "today".
        static func latestOfEachSeries(_ snapshots: [Snapshot]) -> [Snapshot] {
            var latest: [Series: Int] = [:]
            for s in snapshots { latest[s.series] = max(latest[s.series] ?? Int.min, s.vintage) }
            return snapshots.filter { $0.vintage == latest[$0.series] }
        }

        /// Every source's snapshots, in source order: a count source's vintage, a site source's
        /// (Sirene's also at each earlier vintage of the counts, from its dates); and their source
        /// names, sorted, which each snapshot's `name` is a position in.
        static func all(_ input: AnalysisInputs) -> (snapshots: [Snapshot], names: [String]) {
            let communes = input.communes
            let position = Dictionary(uniqueKeysWithValues: input.categories.enumerated().map { ($1, $0) })
            func table(_ categories: Set<ServiceCategory>) -> PresenceTable {
                PresenceTable(
                    categories: categories.compactMap { position[$0] }, of: input.categories.count,
                    communes: communes.count)
            }
            func covered(_ described: Set<CommuneCode>?) -> [Bool]? {
                described.map { d in communes.map { d.contains($0.code) } }
            }
            let names = Set(input.countSources.keys.map(\.source)).union(input.siteSources.keys.map(\.source)).sorted()
            let namePosition = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            // Total: `names` holds the name of every source key below.
            func name(_ source: String) -> Int { namePosition[source]! }
            var snapshots: [Snapshot] = []
            for (key, source) in input.countSources {
                var presence = table(source.categories)
                for fact in source.counts where fact.count > 0 {
                    presence.add(
                        fact.count, level: fact.level, category: Int(fact.category), commune: Int(fact.commune))
                }
                snapshots.append(
                    Snapshot(
                        series: .counts(source.kind), source: key, name: name(key.source),
                        categories: source.categories,
                        covered: covered(source.describes), presence: presence))
            }
            let countVintages = Set(input.countSources.keys.map(\.vintage))
            for (key, source) in input.siteSources {
                let sites = source.sites
                // A site file covers the categories it holds at least one open site of: an Overpass
                // query for cafés says nothing about schools, and the former restaurants it brings
                // along say nothing about today's.
                let categories = Set(sites.lazy.filter(\.active).map { input.categories[Int($0.category)] })
                    .intersection(input.siteCategories[source.kind] ?? [])
                // Sirene's dates give its history back to each vintage the counts have; OSM is today only.
                let own = key.vintage
                let vintages = source.kind == .sirene ? countVintages.filter { $0 < own }.union([own]) : [own]
                let describes = covered(source.coverage)
                for v in vintages {
                    let day = Int32(v) * 10_000 + 101  // 1 January
                    var presence = table(categories)
                    for s in sites {
                        guard let commune = s.commune else { continue }
                        let present =
                            v == own
                            ? s.active
                            : (s.opened.map { $0 <= day } ?? true) && (s.active || (s.closed.map { $0 > day } ?? false))
                        guard present else { continue }
                        presence.add(1, level: s.level, category: Int(s.category), commune: Int(commune))
                    }
                    snapshots.append(
                        Snapshot(
                            series: .sites(key.source), source: SourceVintage(source: key.source, vintage: v),
                            name: name(key.source), categories: categories, covered: describes,
                            presence: presence))
                }
            }
            return (snapshots.sorted { $0.source < $1.source }, names)
        }
    }
}
