import Formats
import Geo
import Territory

/// Commune polygons from a GeoJSON FeatureCollection (code and name properties configurable;
/// defaults `code`, `nom`). Features are streamed one at a time.
public struct ContoursAdapter: SourceAdapter {
    /// The most points one commune may have; a hostile "billion-point ring" is refused.
    public var maxPointsPerFeature = 500_000

    public init() {}

    public func read(_ input: ByteReaderInput, spec: SourceSpec, into sink: RecordSink) throws -> Int {
        let codeKey = spec.columns["code"] ?? "code"
        let nameKey = spec.columns["name"] ?? "nom"
        var index = 0
        let reader = JSONStreamReader(source: input.bytes, maxValuesPerElement: maxPointsPerFeature * 3)
        try reader.forEachElement(ofArray: "features") { feature in
            index += 1
            let properties = feature["properties"]
            guard let code = (properties?[codeKey] ?? feature["id"])?.string.flatMap(CommuneCode.init(_:)) else {
                return try sink.reject(line: index, reason: "feature \(index): missing or invalid \(codeKey)")
            }
            do {
                let shape = try Self.shape(feature["geometry"])
                try sink.emit(.contour(code: code, name: properties?[nameKey]?.string, shape: shape), line: index)
            } catch let error as GeometryError {
                try sink.reject(line: index, reason: "feature \(index) (\(code)): \(error.message)")
            }
        }
        return index
    }

    struct GeometryError: Error { let message: String }

    /// Parses a Polygon or MultiPolygon; rings need ≥ 4 valid positions.
    public static func shape(_ geometry: JSONValue?) throws -> MultiPolygon {
        guard let geometry, let type = geometry["type"]?.string, let coordinates = geometry["coordinates"]?.array else {
            throw GeometryError(message: "missing geometry")
        }
        func ring(_ value: JSONValue) throws -> [Coordinate] {
            guard let points = value.array, points.count >= 4 else {
                throw GeometryError(message: "ring with fewer than 4 positions")
            }
            return try points.map { p in
                guard let xy = p.array, xy.count >= 2, let lon = xy[0].number, let lat = xy[1].number,
                    Coordinate(lat: lat, lon: lon).isValid
                else { throw GeometryError(message: "invalid position") }
                return Coordinate(lat: lat, lon: lon)
            }
        }
        func polygon(_ value: JSONValue) throws -> [[Coordinate]] {
            guard let rings = value.array, !rings.isEmpty else { throw GeometryError(message: "polygon without rings") }
            return try rings.map(ring)
        }
        switch type {
        case "Polygon": return MultiPolygon(polygons: [try polygon(.array(coordinates))])
        case "MultiPolygon": return MultiPolygon(polygons: try coordinates.map(polygon))
        default: throw GeometryError(message: "geometry type \(type) is not a polygon")
        }
    }
}
