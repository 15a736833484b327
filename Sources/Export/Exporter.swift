import Analysis
import Foundation
import Geo
import Store

/// Writes the candidate or commune selection as CSV or GeoJSON, streaming rows from the store.
///
/// The fields are the same in both formats: reference facts, one `flag_` and one `nearest_km_`
/// column per category, `lost_meeting_place`, `cafe_known`, then the candidate fields (empty where the commune
/// is not a candidate). The score breakdown is a JSON text column in CSV, an object in GeoJSON.
public struct Exporter: Sendable {
    public let store: Store
    public let targetVintage: Int

    public init(store: Store, targetVintage: Int) {
        self.store = store
        self.targetVintage = targetVintage
    }

    /// Writes one export atomically. Returns the number of communes written.
    /// - Throws: ``ExportError`` for an unknown département; I/O errors.
    @discardableResult
    public func write(_ settings: ExportSettings) async throws -> Int {
        if let dep = try await store.unknownDepartement(among: settings.departements, targetVintage: targetVintage) {
            throw ExportError(message: "unknown département \(dep) in COG \(targetVintage)")
        }
        let categories = try await store.categories()
        let file = try AtomicFile(path: settings.output)
        let encoder = RowEncoder(categories: categories, settings: settings)
        try file.write(encoder.prologue)
        let counter = Counter()
        let box = FileBox(file: file)
        try await store.forEachExportRow(
            targetVintage: targetVintage, departements: settings.departements,
            candidatesOnly: settings.what == .candidates, withGeometry: settings.format == .geojson
        ) { row in
            try box.file.write(encoder.encode(row, first: counter.next() == 0))
        }
        try file.write(encoder.epilogue)
        try file.commit()
        return counter.value
    }
}

/// An export failure a user can act on.
public struct ExportError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// The file handle crosses into the store's read closure, which runs synchronously on the
/// caller's behalf while the caller awaits: never used concurrently.
private final class FileBox: @unchecked Sendable {
    let file: AtomicFile
    init(file: AtomicFile) { self.file = file }
}

private final class Counter: @unchecked Sendable {
    // Only touched from the store's read closure, one row at a time (see FileBox).
    private(set) var value = 0
    func next() -> Int {
        defer { value += 1 }
        return value
    }
}

/// Turns export rows into CSV lines or GeoJSON features.
struct RowEncoder: Sendable {
    let categories: [String]
    let settings: ExportSettings

    var separator: Character { settings.excel ? ";" : "," }

    var header: [String] {
        ["code", "name", "dep", "reg", "population", "population_year", "lat", "lon"]
            + categories.flatMap { ["flag_\($0)", "nearest_km_\($0)"] }
            + [
                "lost_meeting_place", "cafe_known", "score", "rank", "status", "note", "first_seen", "last_seen",
                "breakdown",
            ]
    }

    var prologue: String {
        switch settings.format {
        case .csv: (settings.excel ? "\u{FEFF}" : "") + header.joined(separator: String(separator)) + "\n"
        case .geojson: "{\"type\":\"FeatureCollection\",\"features\":[\n"
        }
    }

    var epilogue: String { settings.format == .csv ? "" : "\n]}\n" }

    func encode(_ row: ExportRow, first: Bool) -> String {
        settings.format == .csv ? csv(row) : (first ? "" : ",\n") + geojson(row)
    }

    private func csv(_ row: ExportRow) -> String {
        let comma = settings.excel
        func t(_ s: String?) -> String { s.map { CSVCell.text($0, separator: separator) } ?? "" }
        func n(_ d: Double?, _ decimals: Int) -> String {
            d.map { CSVCell.number($0, decimals: decimals, decimalComma: comma) } ?? ""
        }
        func i(_ v: Int?) -> String { v.map(String.init) ?? "" }
        let c = row.candidate
        var cells = [
            t(row.code), t(row.name), t(row.dep), t(row.reg), i(row.population), i(row.populationYear), n(row.lat, 6),
            n(row.lon, 6),
        ]
        for category in categories { cells += [t(row.flags[category]), n(row.nearestKm[category], 2)] }
        cells += [
            row.lostMeetingPlace ? "true" : "false", row.cafeKnown ? "true" : "false", n(c?.score, 2), i(c?.rank),
            t(c?.status), t(c?.note), t(c?.firstSeen), t(c?.lastSeen),
            c.map { t(breakdownJSON($0.breakdown)) } ?? "",
        ]
        return cells.joined(separator: String(separator)) + "\n"
    }

    private func breakdownJSON(_ terms: [ScoreTerm]) -> String {
        jsonObject(Dictionary(terms.map { ($0.term.rawValue, $0.value) }, uniquingKeysWith: { a, _ in a }))
    }

    private func geojson(_ row: ExportRow) -> String {
        var properties: [(String, Any)] = [
            ("code", row.code), ("name", row.name), ("dep", row.dep ?? NSNull()), ("reg", row.reg ?? NSNull()),
            ("population", row.population ?? NSNull()), ("population_year", row.populationYear ?? NSNull()),
            ("lat", row.lat.map(round6) ?? NSNull()), ("lon", row.lon.map(round6) ?? NSNull()),
        ]
        for category in categories {
            properties.append(("flag_\(category)", row.flags[category] ?? NSNull()))
            properties.append(("nearest_km_\(category)", row.nearestKm[category] ?? NSNull()))
        }
        let c = row.candidate
        properties += [
            ("lost_meeting_place", row.lostMeetingPlace), ("cafe_known", row.cafeKnown),
            ("score", c?.score ?? NSNull()), ("rank", c?.rank ?? NSNull()),
            ("status", c?.status ?? NSNull()), ("note", c?.note ?? NSNull()), ("first_seen", c?.firstSeen ?? NSNull()),
            ("last_seen", c?.lastSeen ?? NSNull()),
            (
                "breakdown",
                c.map { Dictionary($0.breakdown.map { ($0.term.rawValue, $0.value) }, uniquingKeysWith: { a, _ in a }) }
                    ?? NSNull()
            ),
        ]
        let props = properties.map { "\(jsonString($0.0)):\(jsonValue($0.1))" }.joined(separator: ",")
        let geometry: String
        if !row.geometries.isEmpty {
            geometry = mergedGeometry(row.geometries)
        } else if let lat = row.lat, let lon = row.lon {
            geometry = GeoJSONGeometry.point(Coordinate(lat: lat, lon: lon))
        } else {
            geometry = "null"
        }
        return
            "{\"type\":\"Feature\",\"id\":\(jsonString(row.code)),\"geometry\":\(geometry),\"properties\":{\(props)}}"
    }

    /// One contour is used as is; several (a commune nouvelle from older contours) become a MultiPolygon.
    private func mergedGeometry(_ geometries: [String]) -> String {
        if geometries.count == 1 { return geometries[0] }
        let parts = geometries.compactMap { g -> String? in
            guard let start = g.range(of: "\"coordinates\":")?.upperBound else { return nil }
            let body = String(g[start...].dropLast())  // strip the closing brace of the geometry object
            return g.contains("\"MultiPolygon\"") ? String(body.dropFirst().dropLast()) : body
        }
        return "{\"type\":\"MultiPolygon\",\"coordinates\":[" + parts.joined(separator: ",") + "]}"
    }

    private func round6(_ v: Double) -> Double { (v * 1_000_000).rounded() / 1_000_000 }
}

/// A JSON string literal (RFC 8259 escapes; `/` left as is), written by hand: JSONSerialization
/// per value cost more than the rest of an export.
func jsonString(_ s: String) -> String {
    var out = "\""
    out.reserveCapacity(s.utf8.count + 2)
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where u.value < 0x20:
            let hex = String(u.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}

func jsonNumber(_ d: Double) -> String {
    d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)") : "null"
}

/// A flat object of numbers, keys sorted (the score breakdown).
func jsonObject(_ o: [String: Double]) -> String {
    "{" + o.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonNumber($0.value))" }.joined(separator: ",")
        + "}"
}

func jsonValue(_ v: Any) -> String {
    switch v {
    case is NSNull: return "null"
    case let b as Bool: return b ? "true" : "false"
    case let i as Int: return String(i)
    case let d as Double: return jsonNumber(d)
    case let s as String: return jsonString(s)
    case let o as [String: Double]: return jsonObject(o)
    default: return "null"
    }
}
