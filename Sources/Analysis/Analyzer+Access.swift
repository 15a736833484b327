import Catalog
import Geo
import Territory

extension Analyzer {
    /// Distances to the nearest site of each category today, across every border, and the people
    /// within the catchment radius living in communes without one.
    func accessFor(
        _ input: AnalysisInputs, presentToday: [ServiceCategory: [CommuneCode: Bool]],
        nowSources: [ServiceCategory: Set<SourceVintage>], countOnlySites: [ServiceCategory: Set<CommuneCode>]
    ) -> [AccessRecord] {
        let centroids = Dictionary(
            uniqueKeysWithValues: input.communes.compactMap { c -> (CommuneCode, Coordinate)? in
                guard let lat = c.lat, let lon = c.lon else { return nil }
                return (c.code, Coordinate(lat: lat, lon: lon))
            })
        let population = Dictionary(uniqueKeysWithValues: input.communes.map { ($0.code, $0.population ?? 0) })
        let communeIndex = SpatialIndex(centroids.map { ($0.value, $0.key) })
        // Neighbours within R km are the same for every category: find them once.
        var neighbours: [CommuneCode: [CommuneCode]] = [:]
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
            for source in current {
                for position in input.facilityPositions[source]?[category] ?? [] { index.insert(position, true) }
            }
            for s in (sitesByCategory[category] ?? []).lazy.map({ input.sites[$0] })
            where s.usable && s.active && current.contains(s.source) {
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
                        nearestKm: nearest.map { ($0 * 100).rounded() / 100 }, catchmentWithout: catchment))
            }
        }
        return out
    }
}
