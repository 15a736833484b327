import Catalog
import Geo
import Territory

extension Analyzer {
    /// Distances to the nearest site of each category today, across every border, and the people
    /// within the catchment radius living in communes without one. `presentToday`: by category,
    /// whether each commune of `input.communes` (by position) has one at the latest vintage.
    func accessFor(
        _ input: AnalysisInputs, presentToday: [ServiceCategory: [Bool?]],
        nowSources: [ServiceCategory: Set<SourceVintage>], countOnlySites: [ServiceCategory: Set<CommuneCode>]
    ) -> [AccessRecord] {
        // Communes by position in `input.communes`: the catchment sums visit ~30 neighbours per
        // commune per category, millions of visits that hashing commune codes made the slowest part.
        let communes = input.communes
        let indexOfCode = Dictionary(uniqueKeysWithValues: communes.indices.map { (communes[$0].code, $0) })
        let centroids = communes.map { c -> Coordinate? in
            guard let lat = c.lat, let lon = c.lon else { return nil }
            return Coordinate(lat: lat, lon: lon)
        }
        let population = communes.map { $0.population ?? 0 }
        let communeIndex = SpatialIndex(communes.indices.compactMap { i in centroids[i].map { ($0, Int32(i)) } })
        // Neighbours within R km are the same for every category: found once (nil without a centroid).
        let neighbours = centroids.map { c in
            c.map { communeIndex.within(settings.radiusKm, of: $0).map(\.0.payload) }
        }
        let sitesByCategory = Dictionary(grouping: input.sites.indices) { input.sites[$0].category }
        var out: [AccessRecord] = []
        out.reserveCapacity(communes.count * input.categories.count)
        for category in input.categories {
            guard let current = nowSources[category], !current.isEmpty else {
                out += communes.map {
                    AccessRecord(commune: $0.code, category: category, nearestKm: nil, catchmentWithout: nil)
                }
                continue
            }
            let today = presentToday[category] ?? Array(repeating: nil, count: communes.count)
            precondition(today.count == communes.count, "presence today is by position in input.communes")
            var index = SpatialIndex<Bool>()
            for source in current {
                for position in input.facilityPositions[source]?[category] ?? [] { index.insert(position, true) }
            }
            for s in (sitesByCategory[category] ?? []).lazy.map({ input.sites[$0] })
            where s.usable && s.active && current.contains(s.source) {
                if let lat = s.lat, let lon = s.lon { index.insert(Coordinate(lat: lat, lon: lon), true) }
            }
            for code in countOnlySites[category] ?? [] {
                if let i = indexOfCode[code], let c = centroids[i] { index.insert(c, true) }
            }
            for (i, commune) in communes.enumerated() {
                var nearest: Double?
                if today[i] == true {
                    nearest = 0
                } else if let c = centroids[i] {
                    nearest = index.nearest(to: c, maxKm: 200)?.1
                }
                let catchment = neighbours[i].map { list in
                    list.reduce(0) { $0 + (today[Int($1)] == false ? population[Int($1)] : 0) }
                }
                out.append(
                    AccessRecord(
                        commune: commune.code, category: category,
                        nearestKm: nearest.map { ($0 * 100).rounded() / 100 }, catchmentWithout: catchment))
            }
        }
        return out
    }
}
