/// A polygon with holes, or several: the shape of a commune, in WGS84 degrees.
public struct MultiPolygon: Sendable, Equatable {
    /// Polygons; each is rings of `[lon, lat]` points, the first ring the outer boundary.
    public var polygons: [[[Coordinate]]]

    public init(polygons: [[[Coordinate]]]) { self.polygons = polygons }

    /// The bounding box (min, max corners).
    public var bounds: (min: Coordinate, max: Coordinate) {
        var lo = Coordinate(lat: 90, lon: 180)
        var hi = Coordinate(lat: -90, lon: -180)
        for polygon in polygons {
            for ring in polygon {
                for p in ring {
                    lo.lat = Swift.min(lo.lat, p.lat)
                    lo.lon = Swift.min(lo.lon, p.lon)
                    hi.lat = Swift.max(hi.lat, p.lat)
                    hi.lon = Swift.max(hi.lon, p.lon)
                }
            }
        }
        return (lo, hi)
    }

    public var pointCount: Int { polygons.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } }

    /// Whether `point` is inside (even-odd rule, so holes are excluded).
    public func contains(_ point: Coordinate) -> Bool {
        for polygon in polygons {
            var inside = false
            for ring in polygon where ring.count >= 3 {
                var j = ring.count - 1
                for i in 0..<ring.count {
                    let a = ring[i]
                    let b = ring[j]
                    if (a.lat > point.lat) != (b.lat > point.lat),
                        point.lon < (b.lon - a.lon) * (point.lat - a.lat) / (b.lat - a.lat) + a.lon
                    {
                        inside.toggle()
                    }
                    j = i
                }
            }
            if inside { return true }
        }
        return false
    }

    /// Signed area of a ring in square degrees: positive when counter-clockwise (lon east, lat north).
    public static func signedArea(_ ring: [Coordinate]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var sum = 0.0
        var j = ring.count - 1
        for i in 0..<ring.count {
            sum += (ring[j].lon * ring[i].lat) - (ring[i].lon * ring[j].lat)
            j = i
        }
        return sum / 2
    }

    /// The same shape with rings oriented by RFC 7946's right-hand rule: exterior rings
    /// counter-clockwise, holes clockwise.
    public func rightHanded() -> MultiPolygon {
        MultiPolygon(
            polygons: polygons.map { polygon in
                polygon.enumerated().map { index, ring in
                    let ccw = Self.signedArea(ring) > 0
                    return (index == 0) == ccw ? ring : ring.reversed()
                }
            })
    }
}
