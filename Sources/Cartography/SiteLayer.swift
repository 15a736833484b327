import Analysis
import Formats

/// The premises of the communes drawn, as markers over them: a sources' open place (a filled
/// dot), a closed one (a ring) and the team's premises (a square), each with its legend entry.
/// Markers let clicks through to the commune beneath (its card lists them).
struct SiteLayer: Sendable {
    /// How a marker is drawn, in legend order.
    enum Marker: Int, CaseIterable, Sendable {
        case open, closed, team

        init(_ site: Premises) {
            switch site.open {
            case nil: self = .team
            case true?: self = .open
            case false?: self = .closed
            }
        }

        /// Its words in the ``Vocabulary``.
        var key: String {
            switch self {
            case .open: "site.open"
            case .closed: "site.closed"
            case .team: "site.team"
            }
        }

        /// The marker centred on (x, y), with its attributes.
        func svg(x: String, y: String, attributes: String) -> String {
            switch self {
            case .open:
                "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"2.6\" fill=\"#1b7837\" stroke=\"#ffffff\" stroke-width=\"0.6\" \(attributes)"
            case .closed:
                "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"2.4\" fill=\"#ffffff\" stroke=\"#b2182b\" stroke-width=\"1.2\" \(attributes)"
            case .team:
                "<rect x=\"\(x)\" y=\"\(y)\" width=\"5\" height=\"5\" transform=\"translate(-2.5 -2.5)\" fill=\"#e08214\" "
                    + "stroke=\"#ffffff\" stroke-width=\"0.6\" \(attributes)"
            }
        }
    }

    private(set) var svg = ""
    private(set) var counts: [Marker: Int] = [:]

    init(_ sites: [Premises], frame: MapFrame, words: Vocabulary) {
        for site in sites {
            guard let lat = site.lat, let lon = site.lon else { continue }
            let marker = Marker(site)
            var title = site.label ?? words[site.category.map { "category.\($0.rawValue)" } ?? "site.team"]
            title += " — " + words[marker.key]
            if site.lastMeetingPlace { title += " — " + words.lastCafe(closed: site.closed) }
            if site.approximate { title += " (\(words["site.approximate"]))" }
            let attributes =
                "data-site=\"\(XMLText.escape(site.id.rawValue))\" data-site-state=\"\(marker)\" "
                + "data-commune=\"\(site.commune)\""
            svg +=
                marker.svg(
                    x: MapRenderer.number(frame.x(lon)), y: MapRenderer.number(frame.y(lat)), attributes: attributes)
                + "><title>\(XMLText.escape(title))</title></\(marker == .team ? "rect" : "circle")>\n"
            counts[marker, default: 0] += 1
        }
        if !svg.isEmpty { svg = "<g id=\"sites\" pointer-events=\"none\">\n" + svg + "</g>\n" }
    }

    /// The legend entries of the markers drawn, from row `first` of the legend.
    func legend(words: Vocabulary, first: Int) -> String {
        var out = ""
        for (i, marker) in Marker.allCases.filter({ counts[$0] != nil }).enumerated() {
            let y = 24 + 20 * Double(first + i)
            out += marker.svg(x: "8", y: MapRenderer.number(y + 7), attributes: "data-legend-site=\"\(marker)\"")
            out += "/>"
            out +=
                "<text x=\"22\" y=\"\(MapRenderer.number(y + 11))\">\(XMLText.escape(words[marker.key])) "
                + "(\(words.number(Double(counts[marker] ?? 0))))</text>\n"
        }
        return out
    }

    /// Rows the legend needs.
    var legendRows: Int { counts.count }
}
