import Analysis
import Formats
import Geo

/// Turns premises into CSV lines or GeoJSON points, with the same fields in both. Non-diffusible
/// rows arrive without label and address (the store never gives them), so none is written.
struct SiteEncoder: ExportEncoder {
    let settings: ExportSettings

    var header: [String] {
        [
            "id", "commune", "commune_name", "label", "address", "kind", "source", "source_id", "category", "opened",
            "closed", "open", "last_meeting_place", "licence_iv", "status", "note", "approximate", "lat", "lon",
        ]
    }

    func encode(_ site: Premises, communeName: String, first: Bool) -> String {
        settings.format == .csv ? csv(site, communeName) : (first ? "" : ",\n") + geojson(site, communeName)
    }

    private func csv(_ s: Premises, _ communeName: String) -> String {
        func t(_ text: String?) -> String { text.map { CSVCell.text($0, separator: separator) } ?? "" }
        func n(_ d: Double?) -> String { d.map { CSVCell.number($0, decimals: 6, decimalComma: settings.excel) } ?? "" }
        func b(_ v: Bool?) -> String { v.map { $0 ? "true" : "false" } ?? "" }
        return [
            t(s.id.rawValue), t(s.commune.rawValue), t(communeName), t(s.label), t(s.address), t(s.kind?.rawValue),
            t(s.source), t(s.sourceID), t(s.category?.rawValue), t(s.opened), t(s.closed), b(s.open),
            b(s.lastMeetingPlace), t(s.licenceIV.rawValue), t(s.status?.rawValue), t(s.note), b(s.approximate),
            n(s.lat), n(s.lon),
        ].joined(separator: String(separator)) + "\n"
    }

    private func geojson(_ s: Premises, _ communeName: String) -> String {
        var p = JSONObjectText()
        p.add("id", s.id.rawValue)
        p.add("commune", s.commune.rawValue)
        p.add("commune_name", communeName)
        p.add("label", s.label)
        p.add("address", s.address)
        p.add("kind", s.kind?.rawValue)
        p.add("source", s.source)
        p.add("source_id", s.sourceID)
        p.add("category", s.category?.rawValue)
        p.add("opened", s.opened)
        p.add("closed", s.closed)
        if let open = s.open { p.add("open", open) } else { p.add("open", nil as String?) }
        p.add("last_meeting_place", s.lastMeetingPlace)
        p.add("licence_iv", s.licenceIV.rawValue)
        p.add("status", s.status?.rawValue)
        p.add("note", s.note)
        p.add("approximate", s.approximate)
        let geometry = s.lat.flatMap { lat in s.lon.map { GeoJSONGeometry.point(Coordinate(lat: lat, lon: $0)) } }
        return "{\"type\":\"Feature\",\"id\":\(JSONObjectText.string(s.id.rawValue)),"
            + "\"geometry\":\(geometry ?? "null"),\"properties\":\(p.closed)}"
    }
}
