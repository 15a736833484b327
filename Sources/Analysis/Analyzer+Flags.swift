import Catalog
import Territory

extension Analyzer {
    /// What the flags pass finds and hands on: the outcomes (flags only, so far), and what the
    /// distances and the score need from the snapshots, which are freed with it.
    struct Flagging {
        var outcomes: [CategoryOutcome]
        /// By category position.
        var today: [Today]
        var vintageFrom: Int?
        var vintageTo: Int?
        var lostMeetingPlace: Set<CommuneCode>
        var cafes: Cafes
    }

    /// A category today.
    struct Today {
        /// Whether each commune has one at the latest vintage (nil: not known), by position.
        var present: [Bool?]
        /// The snapshots making up today.
        var sources: Set<SourceVintage>
        /// Communes a source with counts only (BPE by commune or IRIS) gives one: their centroid
        /// stands for the site.
        var countedCommunes: [Int]
    }

    /// Café evidence: the latest snapshot of each series that can see cafés (Sirene, OSM).
    struct Cafes {
        /// Whether a café source covers each commune, by position: elsewhere "no café" is not known.
        var known: [Bool]
        /// The most cafés a covering source counts today, by commune position.
        var active: [Int]
    }

    /// Flags every commune for every category, comparing the snapshots of each vintage.
    func flagCommunes(_ input: AnalysisInputs) -> Flagging {
        let (snapshots, names) = Snapshot.all(input)
        let allVintages = Set(snapshots.map(\.vintage))
        let from = settings.vintageFrom ?? allVintages.min()
        let to = settings.vintageTo ?? allVintages.max()
        let communeCount = input.communes.count
        var outcomes: [CategoryOutcome] = []
        var today: [Today] = []
        let sourcesWithSites = Set(input.siteSources.keys).union(input.facilityPositions.keys)
        var sourceLists = SourceLists(names: names)
        for (k, category) in input.categories.enumerated() {
            let relevant = snapshots.filter { s in
                s.categories.contains(category) && s.vintage >= (from ?? Int.min) && s.vintage <= (to ?? Int.max)
            }
            let now = Snapshot.latestOfEachSeries(relevant)
            let before = relevant.filter { s in !now.contains { $0.source == s.source } }
            // Grouped once per category, not once per commune.
            let beforeByVintage = Dictionary(grouping: before, by: \.vintage).sorted { $0.key < $1.key }.map(\.value)
            var flags: [LossFlag] = []
            var listed: [String?] = []
            var disagreements: [Int: String] = [:]
            var present: [Bool?] = []
            flags.reserveCapacity(communeCount)
            listed.reserveCapacity(communeCount)
            present.reserveCapacity(communeCount)
            for i in 0..<communeCount {
                let found = flag(commune: i, category: k, now: now, before: beforeByVintage, sources: &sourceLists)
                flags.append(found.flag)
                listed.append(found.sources)
                if let disagreement = found.disagreement { disagreements[i] = disagreement }
                present.append(found.presentLatest)
            }
            // Distances and catchments are measured by `measureAccess`, once the snapshots are freed.
            outcomes.append(
                CategoryOutcome(
                    category: category, vintageFrom: relevant.map(\.vintage).min(),
                    vintageTo: relevant.map(\.vintage).max(), flags: flags, sources: listed,
                    disagreements: disagreements))
            let counted = now.filter { !sourcesWithSites.contains($0.source) }
            today.append(
                Today(
                    present: present, sources: Set(now.map(\.source)),
                    countedCommunes: (0..<communeCount).filter { i in
                        counted.contains { $0.presence[k, i].count > 0 }
                    }))
        }
        let codes = input.communes.map(\.code)
        let meeting = outcomes.filter { ServiceCategory.meetingPlaces.contains($0.category) }
        let lostMeeting = codes.indices.filter { i in
            meeting.contains { $0.flags[i] == .lost } && meeting.allSatisfy(\.flags[i].isAbsent)
        }
        let cafeSnapshots = Snapshot.latestOfEachSeries(snapshots.filter { $0.categories.contains(.cafeBar) })
        let cafe = input.categories.firstIndex(of: .cafeBar)
        let cafes = Cafes(
            known: codes.indices.map { i in cafeSnapshots.contains { $0.describes(i) } },
            active: codes.indices.map { i in
                cafeSnapshots.filter { $0.describes(i) }.map { s in cafe.map { Int(s.presence[$0, i].count) } ?? 0 }
                    .max() ?? 0
            })
        return Flagging(
            outcomes: outcomes, today: today, vintageFrom: from, vintageTo: to,
            lostMeetingPlace: Set(lostMeeting.map { codes[$0] }), cafes: cafes)
    }

    /// Compares "before" (every earlier snapshot, by vintage) with "now" (the latest snapshot of
    /// each series, combined: present if any says so) for the commune and category at positions
    /// `commune` and `category`.
    private func flag(
        commune: Int, category: Int, now: [Snapshot], before: [[Snapshot]], sources: inout SourceLists
    ) -> (flag: LossFlag, sources: String?, disagreement: String?, presentLatest: Bool?) {
        sources.start()
        /// Present if any covering snapshot says so (nil: none covers the commune); `split`: some
        /// say present and others absent.
        func state(_ snapshots: [Snapshot]) -> (present: Bool?, level: UInt8, split: Bool) {
            var covering = false
            var present = false
            var absent = false
            var level: UInt8 = 0
            for s in snapshots where s.describes(commune) {
                let p = s.presence[category, commune]
                covering = true
                if p.count > 0 { present = true } else { absent = true }
                level = max(level, p.level)
                sources.use(s.name)
            }
            return covering ? (present, level, present && absent) : (nil, 0, false)
        }
        // Earlier vintages: the first's presence (nil: no earlier vintage; .some(nil): the first
        // does not cover the commune), and the best level of those with the category.
        var first: Bool??
        var everPresent = false
        var bestLevel: UInt8 = 0
        for snapshots in before {
            let earlier = state(snapshots)
            if first == nil { first = earlier.present }
            if earlier.present == true {
                everPresent = true
                bestLevel = max(bestLevel, earlier.level)
            }
        }
        let latest = state(now)
        // Written out only when the sources disagree: a few communes of a category.
        let disagreement =
            latest.split
            ? now.filter { $0.describes(commune) }.map { "\($0.source.source)=\($0.presence[category, commune].count)" }
                .joined(separator: " ") : nil
        let listed = sources.list()
        func result(_ flag: LossFlag) -> (LossFlag, String?, String?, Bool?) {
            (flag, listed, disagreement, latest.present)
        }
        switch (latest.present, first) {
        case (nil, _): return result(.unknown)
        case (true?, nil): return result(.kept)
        // No data at the earliest vintage compared: the change cannot be told (never reported as lost).
        case (true?, .some(nil)): return result(.unknown)
        case (true?, false??): return result(.gained)
        case (true?, true??):
            return result(latest.level > 0 && latest.level < bestLevel ? .downgraded : .kept)
        case (false?, _) where everPresent: return result(.lost)
        case (false?, .some(nil)): return result(.unknown)
        case (false?, _): return result(.never)
        }
    }
}
