import Foundation

/// Writes geometries as RFC 7946 GeoJSON text: longitude first, 6 decimals, right-hand rule.
public enum GeoJSONGeometry {
    /// A Polygon (one part) or MultiPolygon geometry object.
    public static func encode(_ shape: MultiPolygon) -> String {
        let oriented = shape.rightHanded()
        func ring(_ r: [Coordinate]) -> String { "[" + r.map(position).joined(separator: ",") + "]" }
        func polygon(_ p: [[Coordinate]]) -> String { "[" + p.map(ring).joined(separator: ",") + "]" }
        if oriented.polygons.count == 1 {
            return "{\"type\":\"Polygon\",\"coordinates\":\(polygon(oriented.polygons[0]))}"
        }
        return "{\"type\":\"MultiPolygon\",\"coordinates\":[" + oriented.polygons.map(polygon).joined(separator: ",") + "]}"
    }

    /// A Point geometry object.
    public static func point(_ c: Coordinate) -> String {
        "{\"type\":\"Point\",\"coordinates\":\(position(c))}"
    }

    /// `[lon,lat]` rounded to 6 decimals (about 0.1 m), without trailing zeros.
    public static func position(_ c: Coordinate) -> String {
        "[\(number(c.lon)),\(number(c.lat))]"
    }

    /// A coordinate rounded to 6 decimals, printed without exponent or trailing zeros.
    public static func number(_ v: Double) -> String {
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }
}
