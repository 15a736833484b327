import Foundation
import Geo

/// Computes loss flags, access distances, catchments and candidate scores for every commune.
///
/// Sources combine per category: BPE counts per vintage, Sirene establishments (present in year Y
/// if opened before 1 January Y and not closed by then), OSM objects (today only). A count file
/// describes a territory: a commune of it without a row has none of the file's facilities (the
/// village that lost everything is `lost`); a commune outside it is `unknown` there, never `lost`.
public struct Analyzer: Sendable {
    public let settings: AnalysisSettings

    /// Meeting places and everyday services whose loss the score counts.
    public static let everyday = [
        "cafe_bar", "restaurant", "grocery", "bakery", "post", "school", "pharmacy", "doctor",
    ]
    /// Categories whose distance enters the score.
    public static let distanceCategories = ["cafe_bar", "grocery", "bakery", "post"]
    /// Categories that are meeting places: losing all of them is "lost its café".
    public static let meetingPlaces = ["cafe_bar", "restaurant"]
    /// Post kinds, by level of service.
    static let kindLevel = ["office": 3, "agency": 2, "relay": 1]

    public init(settings: AnalysisSettings) { self.settings = settings }

    /// The result of one analysis.
    public struct Result: Sendable {
        public var flags: [FlagRecord]
        public var access: [AccessRecord]
        public var candidates: [ScoredCommune]
        public var vintageFrom: Int?
        public var vintageTo: Int?
        public var lostMeetingPlace: Set<String>
        /// Communes a café source covers: elsewhere "no café" is not known.
        public var cafeKnown: Set<String>
    }

    /// A snapshot's identity.
    struct SourceVintage: Hashable {
        let source: String
        let vintage: Int
    }

    /// One source's view of one vintage.
    struct Snapshot {
        /// Snapshots of one series (all BPE vintages; one Sirene source; one OSM source) describe the
        /// same kind of evidence over time: the latest of each series makes up "today".
        var series: String
        var source: String
        var vintage: Int
        var categories: Set<String>
        /// The communes the snapshot describes; nil: every commune (Sirene, OSM).
        var covered: Set<String>?
        /// commune → category → (count, best kind level)
        var presence: [String: [String: (count: Int, level: Int)]]
    }

    public func analyze(_ input: AnalysisInputs) -> Result {
        let snapshots = buildSnapshots(input)
        let allVintages = Set(snapshots.map(\.vintage))
        let from = settings.vintageFrom ?? allVintages.min()
        let to = settings.vintageTo ?? allVintages.max()
        var flags: [FlagRecord] = []
        var presentToday: [String: [String: Bool]] = [:]  // category → commune → present at latest (known only)
        var latestVintage: [String: Int] = [:]
        var nowSources: [String: Set<SourceVintage>] = [:]  // category → the snapshots making up today
        var countOnlySites: [String: Set<String>] = [:]  // category → communes
        let siteSources = Set(input.sites.map(\.source))
        for category in input.categories {
            let relevant = snapshots.filter { s in
                s.categories.contains(category) && s.vintage >= (from ?? Int.min) && s.vintage <= (to ?? Int.max)
            }
            var seriesLatest: [String: Int] = [:]
            for s in relevant { seriesLatest[s.series] = max(seriesLatest[s.series] ?? Int.min, s.vintage) }
            let now = relevant.filter { $0.vintage == seriesLatest[$0.series] }
            let before = relevant.filter { $0.vintage != seriesLatest[$0.series] }
            latestVintage[category] = relevant.map(\.vintage).max()
            // Grouped once per category, not once per commune.
            let beforeByVintage = Dictionary(grouping: before, by: \.vintage).sorted { $0.key < $1.key }.map(\.value)
            let range = (relevant.map(\.vintage).min(), relevant.map(\.vintage).max())
            nowSources[category] = Set(now.map { SourceVintage(source: $0.source, vintage: $0.vintage) })
            // Sources with counts only (BPE by commune or IRIS): the commune's centroid stands for the site.
            countOnlySites[category] = Set(
                now.filter { !siteSources.contains($0.source) }.flatMap { snapshot in
                    snapshot.presence.compactMap { ($0.value[category]?.count ?? 0) > 0 ? $0.key : nil }
                })
            var today: [String: Bool] = [:]
            for commune in input.communes {
                let flag = flagFor(commune.code, category: category, now: now, before: beforeByVintage, range: range)
                flags.append(flag.record)
                if let p = flag.presentLatest { today[commune.code] = p }
            }
            presentToday[category] = today
        }
        var lostMeeting = Set<String>()
        let flagIndex = Dictionary(grouping: flags) { $0.commune }
        for (commune, list) in flagIndex {
            let meeting = list.filter { Self.meetingPlaces.contains($0.category) }
            let hadOne = meeting.contains { $0.flag == "lost" }
            let noneNow = meeting.allSatisfy { $0.flag == "lost" || $0.flag == "never" }
            if hadOne && noneNow { lostMeeting.insert(commune) }
        }
        let access = accessFor(
            input, presentToday: presentToday, nowSources: nowSources, countOnlySites: countOnlySites)
        // Café evidence: the latest snapshot of each series that can see cafés (Sirene, OSM).
        var cafeLatest: [String: Int] = [:]
        for s in snapshots where s.categories.contains("cafe_bar") {
            cafeLatest[s.series] = max(cafeLatest[s.series] ?? Int.min, s.vintage)
        }
        let cafeSnapshots = snapshots.filter {
            $0.categories.contains("cafe_bar") && $0.vintage == cafeLatest[$0.series]
        }
        let cafeKnown = Set(
            input.communes.lazy.map(\.code).filter { code in
                cafeSnapshots.contains { $0.covered?.contains(code) ?? true }
            })
        let candidates = score(
            input, flags: flagIndex, access: access, cafeSnapshots: cafeSnapshots, cafeKnown: cafeKnown,
            latest: latestVintage)
        return Result(
            flags: flags, access: access, candidates: candidates, vintageFrom: from, vintageTo: to,
            lostMeetingPlace: lostMeeting,
            cafeKnown: cafeKnown)
    }

    // MARK: - Snapshots

    private func buildSnapshots(_ input: AnalysisInputs) -> [Snapshot] {
        var snapshots: [Snapshot] = []
        let countsByKey = Dictionary(grouping: input.counts) { "\($0.source)|\($0.vintage)" }
        for (key, source) in input.countSources {
            var presence: [String: [String: (Int, Int)]] = [:]
            for fact in countsByKey[key] ?? [] where fact.count > 0 {
                let level = fact.kind.flatMap { Self.kindLevel[$0] } ?? 0
                let old = presence[fact.commune]?[fact.category] ?? (0, 0)
                presence[fact.commune, default: [:]][fact.category] = (old.0 + fact.count, max(old.1, level))
            }
            snapshots.append(
                Snapshot(
                    series: source.kind, source: source.source, vintage: source.vintage,
                    categories: input.coverage[key] ?? [],
                    covered: input.countCoverage[key] ?? [], presence: presence))
        }
        let countVintages = Set(input.countSources.values.map(\.vintage))
        // Positions, not copies: the sites are the analysis's largest input (≈ 1 M at national scale).
        let siteSources = Dictionary(grouping: input.sites.indices.filter { input.sites[$0].sourceKind != "bpe" }) {
            input.sites[$0].source
        }
        for (source, positions) in siteSources {
            let sites = positions.lazy.map { input.sites[$0] }
            guard let kind = sites.first?.sourceKind, let own = sites.first?.vintage else { continue }
            // A site file covers the categories it holds at least one site of: an Overpass query for
            // cafés says nothing about schools.
            let categories = Set(sites.map(\.category)).intersection(input.coverage[kind] ?? [])
            // Sirene's dates give its history back to each vintage the counts have; OSM is today only.
            let vintages = kind == "sirene" ? countVintages.filter { $0 < own }.union([own]) : [own]
            for v in vintages {
                let day = String(format: "%04d-01-01", v)
                var presence: [String: [String: (Int, Int)]] = [:]
                for s in sites {
                    guard let commune = s.commune else { continue }
                    let present =
                        v == own
                        ? s.active
                        : (s.opened.map { $0 <= day } ?? true) && (s.active || (s.closed.map { $0 > day } ?? false))
                    guard present else { continue }
                    let level = s.kind.flatMap { Self.kindLevel[$0] } ?? 0
                    let old = presence[commune]?[s.category] ?? (0, 0)
                    presence[commune, default: [:]][s.category] = (old.0 + 1, max(old.1, level))
                }
                snapshots.append(
                    Snapshot(
                        series: source, source: source, vintage: v, categories: categories, covered: nil,
                        presence: presence))
            }
        }
        return snapshots.sorted { ($0.vintage, $0.source) < ($1.vintage, $1.source) }
    }

    // MARK: - Flags

    /// Compares "before" (every earlier snapshot, by vintage) with "now" (the latest snapshot of
    /// each series, combined: present if any says so).
    private func flagFor(
        _ commune: String, category: String, now: [Snapshot], before: [[Snapshot]], range: (Int?, Int?)
    )
        -> (record: FlagRecord, presentLatest: Bool?)
    {
        var usedSources = Set<String>()
        func state(_ snapshots: [Snapshot]) -> (present: Bool?, level: Int, views: [(String, Int)]) {
            let covering = snapshots.filter { $0.covered?.contains(commune) ?? true }
            guard !covering.isEmpty else { return (nil, 0, []) }
            var views: [(String, Int)] = []
            var level = 0
            for s in covering {
                let p = s.presence[commune]?[category]
                views.append((s.source, p?.count ?? 0))
                level = max(level, p?.level ?? 0)
                usedSources.insert(s.source)
            }
            return (views.contains { $0.1 > 0 }, level, views)
        }
        let earlier = before.map(state)
        let latest = state(now)
        var disagreement: String?
        if latest.views.count > 1, Set(latest.views.map { $0.1 > 0 }).count > 1 {
            disagreement = latest.views.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        }
        let sources = usedSources.isEmpty ? nil : usedSources.sorted().joined(separator: ",")
        func record(_ flag: String) -> FlagRecord {
            FlagRecord(
                commune: commune, category: category, flag: flag, from: range.0, to: range.1, sources: sources,
                disagreement: disagreement)
        }
        guard let presentNow = latest.present else { return (record("unknown"), nil) }
        // No data at the earliest vintage compared: the change cannot be told (never reported as lost).
        let first = earlier.first?.present
        if presentNow {
            if earlier.isEmpty { return (record("kept"), true) }
            guard let first else { return (record("unknown"), true) }
            if !first { return (record("gained"), true) }
            if let best = earlier.compactMap({ $0.present == true ? $0.level : nil }).max(), latest.level > 0,
                latest.level < best
            {
                return (record("downgraded"), true)
            }
            return (record("kept"), true)
        }
        if earlier.contains(where: { $0.present == true }) { return (record("lost"), false) }
        if !earlier.isEmpty && first == nil { return (record("unknown"), false) }
        return (record("never"), false)
    }

    // MARK: - Access

    private func accessFor(
        _ input: AnalysisInputs, presentToday: [String: [String: Bool]], nowSources: [String: Set<SourceVintage>],
        countOnlySites: [String: Set<String>]
    ) -> [AccessRecord] {
        let centroids = Dictionary(
            uniqueKeysWithValues: input.communes.compactMap { c -> (String, Coordinate)? in
                guard let lat = c.lat, let lon = c.lon else { return nil }
                return (c.code, Coordinate(lat: lat, lon: lon))
            })
        let population = Dictionary(uniqueKeysWithValues: input.communes.map { ($0.code, $0.population ?? 0) })
        let communeIndex = SpatialIndex(centroids.map { ($0.value, $0.key) })
        // Neighbours within R km are the same for every category: find them once.
        var neighbours: [String: [String]] = [:]
        for (code, position) in centroids {
            neighbours[code] = communeIndex.within(settings.radiusKm, of: position).map(\.0.payload)
        }
        let sitesByCategory = Dictionary(grouping: input.sites.indices) { input.sites[$0].category }
        var out: [AccessRecord] = []
        for category in input.categories {
            guard let current = nowSources[category], !current.isEmpty else {
                out += input.communes.map {
                    AccessRecord(commune: $0.code, category: category, nearestKm: nil, catchmentWithout: nil)
                }
                continue
            }
            let today = presentToday[category] ?? [:]
            var index = SpatialIndex<Bool>()
            for s in (sitesByCategory[category] ?? []).lazy.map({ input.sites[$0] })
            where s.usable && (s.sourceKind == "bpe" || s.active)
                && current.contains(SourceVintage(source: s.source, vintage: s.vintage))
            {
                if let lat = s.lat, let lon = s.lon { index.insert(Coordinate(lat: lat, lon: lon), true) }
            }
            for code in countOnlySites[category] ?? [] { if let c = centroids[code] { index.insert(c, true) } }
            for commune in input.communes {
                var nearest: Double?
                if today[commune.code] == true {
                    nearest = 0
                } else if let c = centroids[commune.code] {
                    nearest = index.nearest(to: c, maxKm: 200)?.1
                }
                let catchment = neighbours[commune.code].map { list in
                    list.reduce(0) { $0 + (today[$1] == false ? population[$1] ?? 0 : 0) }
                }
                out.append(
                    AccessRecord(
                        commune: commune.code, category: category,
                        nearestKm: nearest.map { ($0 * 100).rounded() / 100 },
                        catchmentWithout: catchment))
            }
        }
        return out
    }

    // MARK: - Score

    /// Gates the communes, describes each remaining one by its term values, and scores them.
    private func score(
        _ input: AnalysisInputs, flags: [String: [FlagRecord]], access: [AccessRecord], cafeSnapshots: [Snapshot],
        cafeKnown known: Set<String>, latest: [String: Int]
    ) -> [ScoredCommune] {
        let accessIndex = Dictionary(grouping: access) { $0.commune }
        let newest = latest.values.max() ?? 0
        let scorer = settings.scorer
        var scored: [ScoredCommune] = []
        for commune in input.communes {
            guard let population = commune.population, population < settings.maxPopulation else { continue }
            // Without a café source covering the commune, "no café" is not known: it stays in the
            // list, marked unknown, rather than being claimed café-less.
            let cafeKnown = known.contains(commune.code)
            if cafeKnown {
                let activeCafes =
                    cafeSnapshots.filter { $0.covered?.contains(commune.code) ?? true }.map {
                        $0.presence[commune.code]?["cafe_bar"]?.count ?? 0
                    }.max() ?? 0
                guard activeCafes <= settings.maxCafes else { continue }
            }
            let f = Dictionary((flags[commune.code] ?? []).map { ($0.category, $0) }, uniquingKeysWith: { a, _ in a })
            let a = Dictionary(
                (accessIndex[commune.code] ?? []).map { ($0.category, $0) }, uniquingKeysWith: { a, _ in a })
            let features = features(
                commune, population: population, cafeKnown: cafeKnown, flags: f, access: a, newest: newest)
            let (score, terms) = scorer.breakdown(features)
            scored.append(ScoredCommune(commune: commune.code, score: score, breakdown: terms))
        }
        return scored.sorted { ($0.score, $1.commune) > ($1.score, $0.commune) }
    }

    /// Each term's normalised value (0…1) and the facts behind it.
    private func features(
        _ commune: CommuneFacts, population: Int, cafeKnown: Bool, flags f: [String: FlagRecord],
        access a: [String: AccessRecord], newest: Int
    ) -> CandidateFeatures {
        var values: [ScoreTerm.Kind: Double] = [:]
        var facts: [ScoreTerm.Kind: ScoreFacts] = [:]
        func known(_ categories: [String]) -> [String] {
            categories.filter { f[$0] != nil && f[$0]!.flag != "unknown" }
        }
        func open(_ category: String) -> Bool { ["kept", "gained", "downgraded"].contains(f[category]?.flag ?? "") }

        let services = known(Self.vitalServices)
        let present = services.filter(open)
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
        let lost = watched.filter { ["lost", "downgraded"].contains(f[$0]!.flag) }
        // A loss seen in the latest data weighs fully; one only seen years ago fades (10-year scale).
        let recency = lost.map { exp(-Double(newest - (f[$0]!.to ?? newest)) / 10) }.reduce(0, +)
        values[.lost] = watched.isEmpty ? 0 : min(1, recency / Double(watched.count) * 2)
        facts[.lost] = with(ScoreFacts()) {
            $0.losses = lost.map { ScoreFacts.Loss(category: $0, from: f[$0]!.from, to: f[$0]!.to) }
        }

        let distances = Self.distanceCategories.compactMap { c in
            a[c]?.nearestKm.map { ScoreFacts.Distance(category: c, km: $0) }
        }
        values[.distance] =
            distances.isEmpty ? 0 : distances.map { min($0.km, 20) / 20 }.reduce(0, +) / Double(distances.count)
        facts[.distance] = with(ScoreFacts()) { $0.distances = distances }

        let around = cafeKnown ? a["cafe_bar"]?.catchmentWithout ?? 0 : 0
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

    /// Everyday services whose presence makes a village lively (cafés aside: the gate is about them).
    static let vitalServices = ["restaurant", "grocery", "bakery", "post", "school", "doctor", "pharmacy"]
    /// Population change (either way) at which the trend term saturates.
    static let trendSaturation = 0.05
}

/// `value` changed by `change`: builds a value in one expression.
private func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}
