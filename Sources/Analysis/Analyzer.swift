import Catalog
import Foundation
import Territory

/// Computes loss flags, access distances, catchments and candidate scores for every commune.
///
/// Sources combine per category: BPE counts per vintage, Sirene establishments (present in year Y
/// if opened before 1 January Y and not closed by then), OSM objects (today only). A count file
/// describes a territory: a commune of it without a row has none of the file's facilities (the
/// village that lost everything is `lost`); a commune outside it is `unknown` there, never `lost`.
public struct Analyzer: Sendable {
    public let settings: AnalysisSettings

    /// Meeting places and everyday services whose loss the score counts.
    public static let everyday: [ServiceCategory] = [
        .cafeBar, .restaurant, .grocery, .bakery, .post, .school, .pharmacy, .doctor,
    ]
    /// Everyday services whose presence makes a village lively (cafés aside: the gate is about them).
    static let vitalServices: [ServiceCategory] = [.restaurant, .grocery, .bakery, .post, .school, .doctor, .pharmacy]
    /// Categories whose distance enters the score.
    public static let distanceCategories: [ServiceCategory] = [.cafeBar, .grocery, .bakery, .post]

    public init(settings: AnalysisSettings) { self.settings = settings }

    /// The result of one analysis.
    public struct Result: Sendable {
        public var flags: [FlagRecord]
        public var access: [AccessRecord]
        public var candidates: [ScoredCommune]
        public var vintageFrom: Int?
        public var vintageTo: Int?
        /// Communes that had a café, bar or restaurant and have none now.
        public var lostMeetingPlace: Set<CommuneCode>
        /// Communes a café source covers: elsewhere "no café" is not known.
        public var cafeKnown: Set<CommuneCode>
    }

    /// Snapshots of one series describe the same kind of evidence over time (all BPE vintages; one
    /// Sirene source; one OSM source): the latest of each series makes up "today".
    enum Series: Hashable {
        case counts(SourceKind)
        case sites(String)
    }

    /// What one category looks like in a commune in one snapshot.
    struct Presence {
        var count = 0
        /// The best level of service (post office 3, agency 2, relay 1; 0 otherwise).
        var level = 0
    }

    /// One source's view of one vintage.
    struct Snapshot {
        var series: Series
        var source: SourceVintage
        var categories: Set<ServiceCategory>
        /// The communes the snapshot describes; nil: every commune (Sirene, OSM).
        var covered: Set<CommuneCode>?
        var presence: [CommuneCode: [ServiceCategory: Presence]]

        var vintage: Int { source.vintage }

        func describes(_ commune: CommuneCode) -> Bool { covered?.contains(commune) ?? true }
    }

    public func analyze(_ input: AnalysisInputs) -> Result {
        let snapshots = buildSnapshots(input)
        let allVintages = Set(snapshots.map(\.vintage))
        let from = settings.vintageFrom ?? allVintages.min()
        let to = settings.vintageTo ?? allVintages.max()
        var flags: [FlagRecord] = []
        // Present at the latest vintage (nil: not known), by commune position in `input.communes`.
        var presentToday: [ServiceCategory: [Bool?]] = [:]
        var latestVintage: [ServiceCategory: Int] = [:]
        var nowSources: [ServiceCategory: Set<SourceVintage>] = [:]  // the snapshots making up today
        var countOnlySites: [ServiceCategory: Set<CommuneCode>] = [:]
        let siteSources = Set(input.sites.map(\.source)).union(input.facilityPositions.keys)
        for category in input.categories {
            let relevant = snapshots.filter { s in
                s.categories.contains(category) && s.vintage >= (from ?? Int.min) && s.vintage <= (to ?? Int.max)
            }
            var seriesLatest: [Series: Int] = [:]
            for s in relevant { seriesLatest[s.series] = max(seriesLatest[s.series] ?? Int.min, s.vintage) }
            let now = relevant.filter { $0.vintage == seriesLatest[$0.series] }
            let before = relevant.filter { $0.vintage != seriesLatest[$0.series] }
            latestVintage[category] = relevant.map(\.vintage).max()
            // Grouped once per category, not once per commune.
            let beforeByVintage = Dictionary(grouping: before, by: \.vintage).sorted { $0.key < $1.key }.map(\.value)
            let range = (relevant.map(\.vintage).min(), relevant.map(\.vintage).max())
            nowSources[category] = Set(now.map(\.source))
            // Sources with counts only (BPE by commune or IRIS): the commune's centroid stands for the site.
            countOnlySites[category] = Set(
                now.filter { !siteSources.contains($0.source) }.flatMap { snapshot in
                    snapshot.presence.compactMap { ($0.value[category]?.count ?? 0) > 0 ? $0.key : nil }
                })
            var today: [Bool?] = []
            today.reserveCapacity(input.communes.count)
            for commune in input.communes {
                let flag = flagFor(commune.code, category: category, now: now, before: beforeByVintage, range: range)
                flags.append(flag.record)
                today.append(flag.presentLatest)
            }
            presentToday[category] = today
        }
        var lostMeeting = Set<CommuneCode>()
        let flagIndex = Dictionary(grouping: flags) { $0.commune }
        for (commune, list) in flagIndex {
            let meeting = list.filter { ServiceCategory.meetingPlaces.contains($0.category) }
            let hadOne = meeting.contains { $0.flag == .lost }
            let noneNow = meeting.allSatisfy(\.flag.isAbsent)
            if hadOne && noneNow { lostMeeting.insert(commune) }
        }
        let access = accessFor(
            input, presentToday: presentToday, nowSources: nowSources, countOnlySites: countOnlySites)
        // Café evidence: the latest snapshot of each series that can see cafés (Sirene, OSM).
        var cafeLatest: [Series: Int] = [:]
        for s in snapshots where s.categories.contains(.cafeBar) {
            cafeLatest[s.series] = max(cafeLatest[s.series] ?? Int.min, s.vintage)
        }
        let cafeSnapshots = snapshots.filter { $0.categories.contains(.cafeBar) && $0.vintage == cafeLatest[$0.series] }
        let cafeKnown = Set(
            input.communes.lazy.map(\.code).filter { code in cafeSnapshots.contains { $0.describes(code) } })
        let candidates = score(
            input, flags: flagIndex, access: access, cafeSnapshots: cafeSnapshots, cafeKnown: cafeKnown,
            latest: latestVintage)
        return Result(
            flags: flags, access: access, candidates: candidates, vintageFrom: from, vintageTo: to,
            lostMeetingPlace: lostMeeting, cafeKnown: cafeKnown)
    }

    // MARK: - Snapshots

    private func buildSnapshots(_ input: AnalysisInputs) -> [Snapshot] {
        var snapshots: [Snapshot] = []
        // Positions, not copies, here too: hundreds of thousands of counts at national scale.
        let countsBySource = Dictionary(grouping: input.counts.indices, by: { input.counts[$0].source })
        for (key, source) in input.countSources {
            var presence: [CommuneCode: [ServiceCategory: Presence]] = [:]
            for fact in (countsBySource[key] ?? []).lazy.map({ input.counts[$0] }) where fact.count > 0 {
                presence[fact.commune, default: [:]][fact.category, default: Presence()].add(fact.count, fact.kind)
            }
            snapshots.append(
                Snapshot(
                    series: .counts(source.kind), source: key, categories: source.categories,
                    covered: source.describes, presence: presence))
        }
        let countVintages = Set(input.countSources.keys.map(\.vintage))
        // Positions, not copies: the sites are the analysis's largest input (≈ 1 M at national scale).
        let siteSources = Dictionary(grouping: input.sites.indices) { input.sites[$0].source }
        for (source, positions) in siteSources {
            let sites = positions.lazy.map { input.sites[$0] }
            guard let kind = sites.first?.sourceKind else { continue }
            // A site file covers the categories it holds at least one open site of: an Overpass
            // query for cafés says nothing about schools, and the former restaurants it brings
            // along say nothing about today's.
            let categories = Set(sites.filter(\.active).map(\.category)).intersection(input.siteCategories[kind] ?? [])
            // Sirene's dates give its history back to each vintage the counts have; OSM is today only.
            let own = source.vintage
            let vintages = kind == .sirene ? countVintages.filter { $0 < own }.union([own]) : [own]
            for v in vintages {
                let day = String(format: "%04d-01-01", v)
                var presence: [CommuneCode: [ServiceCategory: Presence]] = [:]
                for s in sites {
                    guard let commune = s.commune else { continue }
                    let present =
                        v == own
                        ? s.active
                        : (s.opened.map { $0 <= day } ?? true) && (s.active || (s.closed.map { $0 > day } ?? false))
                    guard present else { continue }
                    presence[commune, default: [:]][s.category, default: Presence()].add(1, s.kind)
                }
                snapshots.append(
                    Snapshot(
                        series: .sites(source.source), source: SourceVintage(source: source.source, vintage: v),
                        categories: categories, covered: input.siteCoverage[source.source], presence: presence))
            }
        }
        return snapshots.sorted { $0.source < $1.source }
    }

    // MARK: - Flags

    /// Compares "before" (every earlier snapshot, by vintage) with "now" (the latest snapshot of
    /// each series, combined: present if any says so).
    private func flagFor(
        _ commune: CommuneCode, category: ServiceCategory, now: [Snapshot], before: [[Snapshot]], range: (Int?, Int?)
    ) -> (record: FlagRecord, presentLatest: Bool?) {
        var usedSources = Set<String>()
        func state(_ snapshots: [Snapshot]) -> (present: Bool?, level: Int, views: [(String, Int)]) {
            let covering = snapshots.filter { $0.describes(commune) }
            guard !covering.isEmpty else { return (nil, 0, []) }
            var views: [(String, Int)] = []
            var level = 0
            for s in covering {
                let p = s.presence[commune]?[category] ?? Presence()
                views.append((s.source.source, p.count))
                level = max(level, p.level)
                usedSources.insert(s.source.source)
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
        func record(_ flag: LossFlag) -> FlagRecord {
            FlagRecord(
                commune: commune, category: category, flag: flag, vintageFrom: range.0, vintageTo: range.1,
                sources: sources, disagreement: disagreement)
        }
        guard let presentNow = latest.present else { return (record(.unknown), nil) }
        // No data at the earliest vintage compared: the change cannot be told (never reported as lost).
        let first = earlier.first?.present
        if presentNow {
            if earlier.isEmpty { return (record(.kept), true) }
            guard let first else { return (record(.unknown), true) }
            if !first { return (record(.gained), true) }
            if let best = earlier.compactMap({ $0.present == true ? $0.level : nil }).max(), latest.level > 0,
                latest.level < best
            {
                return (record(.downgraded), true)
            }
            return (record(.kept), true)
        }
        if earlier.contains(where: { $0.present == true }) { return (record(.lost), false) }
        if !earlier.isEmpty && first == nil { return (record(.unknown), false) }
        return (record(.never), false)
    }
}

extension Analyzer.Presence {
    mutating func add(_ n: Int, _ kind: ServiceCategory.Kind?) {
        count += n
        level = max(level, kind?.level ?? 0)
    }
}
