import Formats
import Geo
import Territory

/// One point per commune: a CSV with code/lat/lon columns (defaults fit `communes_centroides`:
/// `insee_com`, `lat`, `lng`), or geo.api.gouv.fr JSON (`centre`) as an array or a FeatureCollection.
public struct CentroidsAdapter: SourceAdapter {
    public init() {}

    public func read(_ input: ByteReaderInput, spec: SourceSpec, into sink: RecordSink) throws -> Int {
        let peek = PeekingSource(input.bytes)
        let first = try peek.firstNonSpaceByte()
        let rewound = ByteReaderInput(bytes: peek, maxRecordBytes: input.maxRecordBytes, progress: input.progress)
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") {
            return try readJSON(rewound, spec: spec, sink: sink)
        }
        let csv = try rewound.csv()
        let h = csv.header
        let code = try h.require(spec.names("code", default: ["insee_com", "code", "COM", "codgeo"]))
        let lat = try h.require(spec.names("lat", default: ["lat", "latitude"]))
        let lon = try h.require(spec.names("lon", default: ["lng", "lon", "longitude"]))
        let name = h.column(spec.names("name", default: ["nom", "name", "libelle"]))
        return try csv.forEachRow(input: rewound, sink: sink) {
            guard let c = csv.value(code).flatMap(CommuneCode.init(_:)) else {
                return try sink.reject(line: csv.line, reason: "invalid commune code \(csv.string(code) ?? "")")
            }
            guard let y = csv.decimal(lat), let x = csv.decimal(lon) else {
                return try sink.reject(line: csv.line, reason: "no coordinates for \(c)")
            }
            let p = Coordinate(lat: y, lon: x)
            guard p.isValid else { return try sink.reject(line: csv.line, reason: "coordinates out of range for \(c)") }
            try sink.emit(.centroid(code: c, name: csv.value(name), position: p), line: csv.line)
        }
    }

    private func readJSON(_ input: ByteReaderInput, spec: SourceSpec, sink: RecordSink) throws -> Int {
        let codeKey = spec.columns["code"] ?? "code"
        let nameKey = spec.columns["name"] ?? "nom"
        var index = 0
        try JSONStreamReader(source: input.bytes).forEachElement(ofArray: "features") { element in
            index += 1
            // geo.api array items carry `centre`; GeoJSON features carry `geometry` and `properties`.
            let properties = element["properties"] ?? element
            let point = element["geometry"] ?? element["centre"]
            guard let code = properties[codeKey]?.string.flatMap(CommuneCode.init(_:)) else {
                return try sink.reject(line: index, reason: "item \(index): missing or invalid \(codeKey)")
            }
            guard let coords = point?["coordinates"]?.array, coords.count >= 2,
                let lon = coords[0].number, let lat = coords[1].number, Coordinate(lat: lat, lon: lon).isValid
            else {
                return try sink.reject(line: index, reason: "no centre point for \(code)")
            }
            try sink.emit(
                .centroid(code: code, name: properties[nameKey]?.string, position: Coordinate(lat: lat, lon: lon)),
                line: index)
        }
        return index
    }
}

/// Lets an adapter look at the first bytes of a stream, then read it from the start.
final class PeekingSource: ByteSource {
    private let upstream: ByteSource
    private var head: [UInt8] = []
    private var headOffset = 0

    init(_ upstream: ByteSource) { self.upstream = upstream }

    func firstNonSpaceByte() throws -> UInt8? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = try buffer.withUnsafeMutableBytes { try upstream.read(into: $0) }
        head = Array(buffer[0..<n])
        var i = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < head.count, [0x20, 0x0A, 0x0D, 0x09].contains(head[i]) { i += 1 }
        return i < head.count ? head[i] : nil
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if headOffset < head.count {
            let n = min(buffer.count, head.count - headOffset)
            head.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + headOffset, byteCount: n) }
            headOffset += n
            return n
        }
        return try upstream.read(into: buffer)
    }
}
