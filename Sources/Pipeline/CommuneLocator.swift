import Geo
import Store
import Territory

/// Finds the commune a point lies in: by point-in-polygon where contours are loaded, else the
/// commune with the nearest centroid. Says which method it used.
struct CommuneLocator: Sendable {
    private let shapes: [(commune: CommuneCode, shape: MultiPolygon, min: Coordinate, max: Coordinate)]
    private let grid: SpatialIndex<Int>
    private let centroids: SpatialIndex<CommuneCode>

    init(
        contours: [(commune: CommuneCode, geometry: String)], centroids: [(commune: CommuneCode, position: Coordinate)]
    ) {
        var shapes: [(CommuneCode, MultiPolygon, Coordinate, Coordinate)] = []
        var boxCentres: [(Coordinate, Int)] = []
        for c in contours {
            // The store holds the geometry text its own encoder wrote.
            guard let shape = GeoJSONGeometry.decode(c.geometry) else { continue }
            let b = shape.bounds
            boxCentres.append(
                (Coordinate(lat: (b.min.lat + b.max.lat) / 2, lon: (b.min.lon + b.max.lon) / 2), shapes.count))
            shapes.append((c.commune, shape, b.min, b.max))
        }
        self.shapes = shapes
        self.grid = SpatialIndex(boxCentres)
        self.centroids = SpatialIndex(centroids.map { ($0.position, $0.commune) })
    }

    func locate(_ p: Coordinate) -> (commune: CommuneCode, method: LocationMethod)? {
        // Communes are < 30 km across: shapes whose box centre is within 40 km are the only candidates.
        for (entry, _) in grid.within(40, of: p).sorted(by: { $0.1 < $1.1 }) {
            let s = shapes[entry.payload]
            guard p.lat >= s.min.lat, p.lat <= s.max.lat, p.lon >= s.min.lon, p.lon <= s.max.lon else { continue }
            if s.shape.contains(p) { return (s.commune, .contour) }
        }
        return centroids.nearest(to: p, maxKm: 50).map { ($0.0.payload, .nearestCentroid) }
    }
}
