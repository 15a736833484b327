import Foundation

/// A WGS84 position in degrees.
public struct Coordinate: Sendable, Equatable, Hashable {
    public var lat: Double
    public var lon: Double

    public init(lat: Double, lon: Double) {
        self.lat = lat
        self.lon = lon
    }

    /// Whether this is a plausible position on Earth (not NaN, in range).
    public var isValid: Bool { lat.isFinite && lon.isFinite && abs(lat) <= 90 && abs(lon) <= 180 }

    /// Mean Earth radius (IUGG), km: the usual choice for haversine distances.
    public static let earthRadiusKm = 6371.0088

    /// Great-circle distance in kilometres (haversine).
    public func distanceKm(to other: Coordinate) -> Double {
        let rad = Double.pi / 180
        let dLat = (other.lat - lat) * rad
        let dLon = (other.lon - lon) * rad
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat * rad) * cos(other.lat * rad) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * Self.earthRadiusKm * asin(min(1, sqrt(a)))
    }
}
