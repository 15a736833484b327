import Formats
import Geo

/// OpenStreetMap points from an Overpass `[out:json]` answer (`out center tags`): nodes with
/// `lat`/`lon`, ways and relations with `center`. The commune is assigned later, from contours or
/// the nearest centroid, by the pipeline. A place tagged with a lifecycle prefix
/// (`disused:amenity=cafe`, `was:…`, `abandoned:…`), or with the older `disused=yes` beside its
/// tag, is a former one: kept, closed (date unknown), with its address — the premises a programme
/// looks for.
public struct OverpassAdapter: SourceAdapter {
    /// `key=value` tags to keep (`amenity=cafe`…).
    public let tags: Set<String>
    private let keys: [String]

    public init(tags: Set<String>) {
        self.tags = tags
        var keys: [String] = []
        for tag in tags.sorted() {
            if let k = tag.split(separator: "=").first.map(String.init), !keys.contains(k) { keys.append(k) }
        }
        self.keys = keys
    }

    /// OpenStreetMap's lifecycle prefixes of a place that closed.
    static let formerPrefixes = ["disused:", "was:", "abandoned:"]

    public func read(_ input: ByteReaderInput, spec: SourceSpec, into sink: RecordSink) throws -> Int {
        var index = 0
        let others = try JSONStreamReader(source: input.bytes).forEachElement(ofArray: "elements") { element in
            index += 1
            guard let tagValues = element["tags"]?.object else { return }
            func tag(prefix: String) -> String? {
                keys.lazy.compactMap { k in tagValues[prefix + k]?.string.map { "\(k)=\($0)" } }.first(
                    where: tags.contains)
            }
            let current = tag(prefix: "")
            guard let tag = current ?? Self.formerPrefixes.lazy.compactMap(tag(prefix:)).first else { return }
            let closed = current == nil || ["disused", "abandoned"].contains { tagValues[$0]?.string == "yes" }
            guard let type = element["type"]?.string, let id = element["id"]?.string else {
                return try sink.reject(line: index, reason: "element \(index): no type or id")
            }
            let point = element["center"] ?? element
            guard let lat = point["lat"]?.number, let lon = point["lon"]?.number, Coordinate(lat: lat, lon: lon).isValid
            else {
                return try sink.reject(line: index, reason: "\(type)/\(id): no position")
            }
            try sink.emit(
                .site(
                    Site(
                        code: nil, type: tag, externalID: "\(type)/\(id)", name: tagValues["name"]?.string,
                        address: PostalAddress.line(
                            number: tagValues["addr:housenumber"]?.string,
                            street: (tagValues["addr:street"] ?? tagValues["addr:place"])?.string,
                            postcode: tagValues["addr:postcode"]?.string, city: tagValues["addr:city"]?.string),
                        position: Coordinate(lat: lat, lon: lon), usableForDistance: true, active: !closed)),
                line: index)
        }
        // Overpass answers a timeout or out-of-memory with HTTP 200, no elements, and a remark.
        if let remark = others["remark"]?.string, remark.contains("error") {
            throw SourceError(source: spec.name, "Overpass reported: \(remark)")
        }
        return index
    }
}
