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
        return "{\"type\":\"MultiPolygon\",\"coordinates\":[" + oriented.polygons.map(polygon).joined(separator: ",")
            + "]}"
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
    public static func number(_ v: Double) -> String { DecimalText.format(v, decimals: 6) }
}

extension GeoJSONGeometry {
    /// Reads a Polygon or MultiPolygon geometry object back (the text `encode` writes, or any
    /// RFC 7946 polygon geometry); nil when `text` is not one.
    public static func decode(_ text: String) -> MultiPolygon? {
        var bytes = Array(text.utf8)[...]
        guard let typeRange = text.range(of: "\"type\""), let coordinates = text.range(of: "\"coordinates\"") else {
            return nil
        }
        let type = text[typeRange.upperBound...].drop { $0 == ":" || $0 == " " }.prefix { $0 != "," && $0 != "}" }
        bytes = bytes.dropFirst(text.utf8.distance(from: text.utf8.startIndex, to: coordinates.upperBound))
        bytes = bytes.drop { $0 != UInt8(ascii: "[") }
        guard let nested = NestedArray.parse(&bytes) else { return nil }
        func ring(_ n: NestedArray) -> [Coordinate]? {
            guard case .list(let points) = n else { return nil }
            var out: [Coordinate] = []
            out.reserveCapacity(points.count)
            for p in points {
                guard case .list(let xy) = p, xy.count >= 2, case .number(let lon) = xy[0],
                    case .number(let lat) = xy[1]
                else { return nil }
                out.append(Coordinate(lat: lat, lon: lon))
            }
            return out
        }
        func polygon(_ n: NestedArray) -> [[Coordinate]]? {
            guard case .list(let rings) = n else { return nil }
            let out = rings.compactMap(ring)
            return out.count == rings.count ? out : nil
        }
        switch type {
        case "\"Polygon\"": return polygon(nested).map { MultiPolygon(polygons: [$0]) }
        case "\"MultiPolygon\"":
            guard case .list(let parts) = nested else { return nil }
            let polygons = parts.compactMap(polygon)
            return polygons.count == parts.count ? MultiPolygon(polygons: polygons) : nil
        default: return nil
        }
    }

    /// Nested JSON arrays of numbers: all a geometry's `coordinates` member holds.
    private enum NestedArray {
        case number(Double)
        case list([NestedArray])

        static func parse(_ s: inout ArraySlice<UInt8>) -> NestedArray? {
            func skipSpace() { s = s.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 } }
            skipSpace()
            guard let first = s.first else { return nil }
            if first == UInt8(ascii: "[") {
                s = s.dropFirst()
                var items: [NestedArray] = []
                while true {
                    skipSpace()
                    if s.first == UInt8(ascii: "]") {
                        s = s.dropFirst()
                        return .list(items)
                    }
                    guard let item = parse(&s) else { return nil }
                    items.append(item)
                    skipSpace()
                    if s.first == UInt8(ascii: ",") {
                        s = s.dropFirst()
                    } else if s.first != UInt8(ascii: "]") {
                        return nil
                    }
                }
            }
            let digits = s.prefix {
                ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+")
                    || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E")
            }
            guard !digits.isEmpty, let value = Double(String(decoding: digits, as: UTF8.self)) else { return nil }
            s = s.dropFirst(digits.count)
            return .number(value)
        }
    }
}
