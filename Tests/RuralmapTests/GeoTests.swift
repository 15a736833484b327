import Analysis
import Foundation
import Geo
import Testing

/// The spatial index against brute force: the same nearest site whatever the density.
struct GeoTests {
    @Test(arguments: [
        (sites: 5, spread: 0.3),  // one canton's sites: most queries are far from all of them
        (sites: 300, spread: 1.0),  // one département
        (sites: 20_000, spread: 8.0),  // the country
        (sites: 2_000, spread: 60.0),  // a third of the globe, invalid latitudes dropped
    ])
    func nearestMatchesBruteForce(sites: Int, spread: Double) {
        var random = SplitMix64(seed: UInt64(sites))
        func point(around centre: Coordinate, _ span: Double) -> Coordinate {
            Coordinate(
                lat: centre.lat + Double.random(in: -span...span, using: &random),
                lon: centre.lon + Double.random(in: -span...span, using: &random))
        }
        let creuse = Coordinate(lat: 46.1, lon: 2.0)
        let points = (0..<sites).map { _ in point(around: creuse, spread) }.filter(\.isValid)
        let index = SpatialIndex(points.enumerated().map { ($0.element, $0.offset) })
        for _ in 0..<400 {
            let query = point(around: Coordinate(lat: 46.5, lon: 2.5), 5)
            let expected = points.map { query.distanceKm(to: $0) }.min()!
            let found = index.nearest(to: query, maxKm: 2000)
            #expect(
                found.map { abs($0.1 - expected) < 1e-9 } == true,
                "query \(query): \(String(describing: found?.1)) vs \(expected)")
            // Beyond maxKm: nothing.
            if expected > 50 { #expect(index.nearest(to: query, maxKm: 50) == nil) }
        }
    }

    @Test func decimalTextAgreesWithPrintf() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            // Values on a grid of 1/1024: exact in binary, ties included (printf breaks them to even).
            let value = Double(Int.random(in: -50_000_000...50_000_000, using: &random)) / 1024
            for decimals in [0, 1, 2, 6] {
                var expected = String(format: "%.\(decimals)f", value)
                if expected.hasPrefix("-"), expected.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
                    expected.removeFirst()
                }
                #expect(
                    DecimalText.format(value, decimals: decimals, trimmed: false) == expected, "\(value) \(decimals)")
            }
        }
        #expect(DecimalText.format(2.5, decimals: 2) == "2.5")
        #expect(DecimalText.format(-0.0001, decimals: 2) == "0")
        #expect(DecimalText.format(46.1, decimals: 6) == "46.1")
        #expect(DecimalText.format(-1.25, decimals: 1) == "-1.2")  // ties to even, as printf
    }
}
