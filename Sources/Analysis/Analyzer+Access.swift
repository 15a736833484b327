import Catalog
import Geo

extension Analyzer {
    /// Measures, into each category's outcome, the distance to the nearest site today, across every
    /// border, and the people within the catchment radius living in communes without one.
    /// `positions`: where the sites usable for distances are, by source and category; `today`:
    /// each category's evidence today, by position in `categories`.
    func measureAccess(
        _ communes: [CommuneFacts], categories: [ServiceCategory],
        positions: [SourceVintage: [ServiceCategory: [Coordinate]]], today evidence: [Today],
        into outcomes: inout [CategoryOutcome]
    ) {
        // Communes by position: the catchment sums visit ~30 neighbours per commune per category,
        // millions of visits that hashing commune codes made the slowest part.
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
        for (k, category) in categories.enumerated() {
            let current = evidence[k].sources
            guard !current.isEmpty else { continue }  // not known: the columns stay empty
            let today = evidence[k].present
            precondition(today.count == communes.count, "presence today is by commune position")
            var index = SpatialIndex<Bool>()
            for source in current {
                for position in positions[source]?[category] ?? [] { index.insert(position, true) }
            }
            for i in evidence[k].countedCommunes {
                if let c = centroids[i] { index.insert(c, true) }
            }
            var nearestKm: [Double?] = []
            var catchmentWithout: [Int?] = []
            nearestKm.reserveCapacity(communes.count)
            catchmentWithout.reserveCapacity(communes.count)
            for i in communes.indices {
                var nearest: Double?
                if today[i] == true {
                    nearest = 0
                } else if let c = centroids[i] {
                    nearest = index.nearest(to: c, maxKm: 200)?.1
                }
                nearestKm.append(nearest.map { ($0 * 100).rounded() / 100 })
                catchmentWithout.append(
                    neighbours[i].map { list in
                        list.reduce(0) { $0 + (today[Int($1)] == false ? population[Int($1)] : 0) }
                    })
            }
            outcomes[k].nearestKm = nearestKm
            outcomes[k].catchmentWithout = catchmentWithout
        }
    }
}
