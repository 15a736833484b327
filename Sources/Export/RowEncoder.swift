import Analysis
import Catalog
import Formats
import Geo
import Store

/// Turns export rows into CSV lines or GeoJSON features, with the same fields in both.
struct RowEncoder: ExportEncoder {
    let categories: [ServiceCategory]
    let settings: ExportSettings

    var header: [String] {
        ["code", "name", "dep", "reg", "population", "population_year", "lat", "lon"]
            + categories.flatMap { ["flag_\($0)", "nearest_km_\($0)"] }
            + [
                "lost_meeting_place", "cafe_known", "score", "rank", "status", "note", "first_seen", "last_seen",
                "breakdown",
            ]
    }

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
            t(row.code.rawValue), t(row.name), t(row.dep), t(row.reg), i(row.population), i(row.populationYear),
            n(row.lat, 6), n(row.lon, 6),
        ]
        for category in categories { cells += [t(row.flags[category]?.rawValue), n(row.nearestKm[category], 2)] }
        cells += [
            row.lostMeetingPlace ? "true" : "false", row.cafeKnown ? "true" : "false", n(c?.score, 2), i(c?.rank),
            t(c?.status.rawValue), t(c?.note), t(c?.firstSeen), t(c?.lastSeen), c.map { t(breakdown($0)) } ?? "",
        ]
        return cells.joined(separator: String(separator)) + "\n"
    }

    /// What each term adds, by term (a flat object, keys sorted).
    private func breakdown(_ candidate: CandidateRecord) -> String {
        var object = JSONObjectText()
        for term in candidate.breakdown.sorted(by: { $0.term.rawValue < $1.term.rawValue }) {
            object.add(term.term.rawValue, term.value)
        }
        return object.closed
    }

    private func geojson(_ row: ExportRow) -> String {
        var p = JSONObjectText()
        p.add("code", row.code.rawValue)
        p.add("name", row.name)
        p.add("dep", row.dep)
        p.add("reg", row.reg)
        p.add("population", row.population)
        p.add("population_year", row.populationYear)
        p.add("lat", row.lat.map(round6))
        p.add("lon", row.lon.map(round6))
        for category in categories {
            p.add("flag_\(category)", row.flags[category]?.rawValue)
            p.add("nearest_km_\(category)", row.nearestKm[category])
        }
        let c = row.candidate
        p.add("lost_meeting_place", row.lostMeetingPlace)
        p.add("cafe_known", row.cafeKnown)
        p.add("score", c?.score)
        p.add("rank", c?.rank)
        p.add("status", c?.status.rawValue)
        p.add("note", c?.note)
        p.add("first_seen", c?.firstSeen)
        p.add("last_seen", c?.lastSeen)
        p.add("breakdown", json: c.map(breakdown) ?? "null")
        let geometry: String
        if !row.geometries.isEmpty {
            geometry = mergedGeometry(row.geometries)
        } else if let lat = row.lat, let lon = row.lon {
            geometry = GeoJSONGeometry.point(Coordinate(lat: lat, lon: lon))
        } else {
            geometry = "null"
        }
        return "{\"type\":\"Feature\",\"id\":\(JSONObjectText.string(row.code.rawValue)),\"geometry\":\(geometry),"
            + "\"properties\":\(p.closed)}"
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
