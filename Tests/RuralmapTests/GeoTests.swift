import Geo
import Testing

/// The spatial index against brute force: the same nearest site whatever the density.
struct GeoTests {
    /// A deterministic generator (SplitMix64), so a failure reproduces.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [
        (sites: 5, spread: 0.3),      // one canton's sites: most queries are far from all of them
        (sites: 300, spread: 1.0),    // one département
        (sites: 20_000, spread: 8.0), // the country
    ])
    func nearestMatchesBruteForce(sites: Int, spread: Double) {
        var random = SplitMix(state: UInt64(sites))
        func point(around centre: Coordinate, _ span: Double) -> Coordinate {
            Coordinate(lat: centre.lat + Double.random(in: -span...span, using: &random),
                       lon: centre.lon + Double.random(in: -span...span, using: &random))
        }
        let creuse = Coordinate(lat: 46.1, lon: 2.0)
        let points = (0..<sites).map { _ in point(around: creuse, spread) }
        let index = SpatialIndex(points.enumerated().map { ($0.element, $0.offset) })
        for _ in 0..<400 {
            let query = point(around: Coordinate(lat: 46.5, lon: 2.5), 5)
            let expected = points.map { query.distanceKm(to: $0) }.min()!
            let found = index.nearest(to: query, maxKm: 2000)
            #expect(found.map { abs($0.1 - expected) < 1e-9 } == true, "query \(query): \(String(describing: found?.1)) vs \(expected)")
            // Beyond maxKm: nothing.
            if expected > 50 { #expect(index.nearest(to: query, maxKm: 50) == nil) }
        }
    }
}
