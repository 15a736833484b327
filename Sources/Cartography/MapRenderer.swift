import Analysis
import Formats
import Foundation
import Geo
import Store
import Synchronization

/// Which communes a map shows, how, and in which language.
public struct MapSettings: Sendable {
    /// Département codes; all communes when empty.
    public var departements: [String]
    public var layer: MapLayer
    public var language: Language

    public init(departements: [String] = [], layer: MapLayer = .candidates, language: Language = .fr) {
        self.departements = departements
        self.layer = layer
        self.language = language
    }
}

/// A map that cannot be drawn, said so a user can act on it.
public struct MapError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable { case unknownDepartement, nothingToDraw, converterMissing, converterFailed }
    public let code: Code
    public let message: String
    public var description: String { message }
}

/// Draws the communes of a selection as a standalone SVG map: one shape per commune (its
/// contours, or a dot at its centroid when no contour is loaded), coloured by status, with a
/// legend and a scale bar. The daemon's page inlines the same SVG and makes it interactive.
///
/// ```swift
/// let svg = try await MapRenderer(store: store, targetVintage: 2026)
///     .svg(MapSettings(departements: ["23"], layer: .candidates, language: .fr))
/// ```
public struct MapRenderer: Sendable {
    let store: Store
    let targetVintage: Int

    public init(store: Store, targetVintage: Int) {
        self.store = store
        self.targetVintage = targetVintage
    }

    /// The communes of the selection with their map status, by code.
    /// - Throws: ``MapError`` for an unknown département.
    public func communes(_ settings: MapSettings) async throws -> [MapCommune] {
        try await checkDepartements(settings)
        let rows = Mutex<[MapCommune]>([])
        try await store.forEachExportRow(
            targetVintage: targetVintage, departements: settings.departements, candidatesOnly: false,
            parts: []  // a map shows what is absent, no distance, no breakdown
        ) { row in
            rows.withLock { $0.append(MapCommune(row, layer: settings.layer)) }
        }
        return rows.withLock { $0 }
    }

    /// The map as an SVG document.
    /// - Throws: ``MapError`` for an unknown département or a selection with nothing to draw.
    public func svg(_ settings: MapSettings) async throws -> String {
        try await checkDepartements(settings)
        let selection = try await store.mapSelection(targetVintage: targetVintage, departements: settings.departements)
        guard let bounds = selection.bounds else {
            throw MapError(
                code: .nothingToDraw,
                message: selection.communes == 0
                    ? "no commune of COG \(targetVintage) loaded: run `ruralmapd run` first"
                    : "no contour or centroid loaded for these \(selection.communes) communes: "
                        + "nothing to place on a map"
            )
        }
        let frame = MapFrame(bounds: bounds)
        let palette = Palette(layer: settings.layer, candidateRanks: selection.candidateRanks)
        let words = Vocabulary(settings.language)
        let sites = try await siteLayer(settings, frame: frame, words: words)
        let legendHeight = 34 + 20 * Double(palette.entries.count + 1 + sites.legendRows)
        let drawing = Mutex(Drawing())
        try await store.forEachExportRow(
            targetVintage: targetVintage, departements: settings.departements, candidatesOnly: false,
            parts: .geometry
        ) { row in
            let commune = MapCommune(row, layer: settings.layer)
            let entry = palette.entry(for: commune)
            // A candidate nobody knows to be café-less is hatched: its rank says where to look first,
            // if no café is there.
            let unknown = commune.status == .candidate && !commune.cafeKnown
            let fill = unknown ? "url(#cafe-unknown-\(entry))" : palette.entries[entry].colour
            let shape = Self.shape(row, commune: commune, fill: fill, frame: frame, words: words)
            drawing.withLock { d in
                guard let shape else {
                    d.unplaced += 1
                    return
                }
                d.shapes += shape
                d.counts[entry, default: 0] += 1
                if unknown { d.cafeUnknown += 1 }
            }
        }
        let d = drawing.withLock { $0 }
        let width = frame.width
        let height = frame.height + legendHeight
        let title =
            words[settings.layer == .candidates ? "ui.map_title" : "ui.map_title_losses"]
            + (settings.departements.isEmpty
                ? ""
                : " — " + words[settings.departements.count > 1 ? "ui.departements" : "ui.departement"]
                    + " " + settings.departements.joined(separator: ", "))
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Self.number(width)) \(Self.number(height))" \
            width="\(Self.number(width))" height="\(Self.number(height))" role="group" aria-labelledby="map-title" \
            lang="\(settings.language.rawValue)" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">
            <title id="map-title">\(XMLText.escape(title))</title>\n
            """
        if d.unplaced > 0 {
            let unplaced = words["ui.unplaced"].replacingOccurrences(of: "%1", with: words.number(Double(d.unplaced)))
            out += "<desc>\(XMLText.escape(unplaced))</desc>\n"
        }
        out += hatches(palette)
        out += "<rect width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"#ffffff\"/>\n"
        out +=
            "<g id=\"communes\" stroke=\"#ffffff\" stroke-width=\"0.6\" stroke-linejoin=\"round\">\n" + d.shapes
            + "</g>\n"
        out += sites.svg
        out += legend(
            palette: palette, counts: d.counts, cafeUnknown: d.cafeUnknown, sites: sites, words: words,
            top: frame.height)
        out += scaleBar(frame: frame, words: words, top: frame.height, legendHeight: legendHeight)
        return out + "</svg>\n"
    }

    /// The premises of the selection's communes; none for a map of all France (hundreds of
    /// thousands of markers would bury the communes).
    private func siteLayer(_ settings: MapSettings, frame: MapFrame, words: Vocabulary) async throws -> SiteLayer {
        guard !settings.departements.isEmpty else { return SiteLayer([], frame: frame, words: words) }
        let all = Mutex<[Premises]>([])
        try await store.forEachCommunePremises(targetVintage: targetVintage, departements: settings.departements) {
            _, sites in all.withLock { $0 += sites }
        }
        return SiteLayer(all.withLock { $0 }, frame: frame, words: words)
    }

    private func checkDepartements(_ settings: MapSettings) async throws {
        if let dep = try await store.unknownDepartement(among: settings.departements, targetVintage: targetVintage) {
            throw MapError(code: .unknownDepartement, message: "unknown département \(dep) in COG \(targetVintage)")
        }
    }

    /// Shapes and counts gathered row by row.
    private struct Drawing: Sendable {
        var shapes = ""
        var counts: [Int: Int] = [:]
        var unplaced = 0
        /// Candidates whose café status is unknown (hatched).
        var cafeUnknown = 0
    }

    /// One hatch per legend colour: the colour striped with white.
    private func hatches(_ palette: Palette) -> String {
        var out = "<defs>\n"
        for (i, entry) in palette.entries.enumerated() {
            out +=
                "<pattern id=\"cafe-unknown-\(i)\" patternUnits=\"userSpaceOnUse\" width=\"5\" height=\"5\" "
                + "patternTransform=\"rotate(45)\"><rect width=\"5\" height=\"5\" fill=\"\(entry.colour)\"/>"
                + "<rect width=\"2\" height=\"5\" fill=\"#ffffff\" fill-opacity=\"0.7\"/></pattern>\n"
        }
        return out + "</defs>\n"
    }

    /// One commune's element: a path of its contours, or a dot at its centroid; nil when it has neither.
    private static func shape(
        _ row: ExportRow, commune: MapCommune, fill: String, frame: MapFrame, words: Vocabulary
    ) -> String? {
        var path = ""
        for text in row.geometries {
            guard let shape = GeoJSONGeometry.decode(text) else { continue }
            for polygon in shape.polygons { for ring in polygon { path += Self.ring(ring, frame: frame) } }
        }
        let population = commune.population.map { ", \(words.number(Double($0))) \(words["ui.inhabitants"])" } ?? ""
        let label = XMLText.escape(commune.name + population)
        var attributes = "data-code=\"\(commune.code)\" data-status=\"\(commune.status.rawValue)\""
        if commune.status == .candidate, let rank = commune.rank { attributes += " data-rank=\"\(rank)\"" }
        if !commune.cafeKnown { attributes += " data-cafe=\"unknown\"" }
        attributes += " fill=\"\(fill)\" tabindex=\"0\" role=\"button\" aria-label=\"\(label)\""
        let title = "<title>\(label)</title>"
        if !path.isEmpty { return "<path \(attributes) fill-rule=\"evenodd\" d=\"\(path)\">\(title)</path>\n" }
        guard let lat = row.lat, let lon = row.lon else { return nil }
        return
            "<circle \(attributes) cx=\"\(number(frame.x(lon)))\" cy=\"\(number(frame.y(lat)))\" r=\"3.5\" "
            + "stroke=\"#555555\" stroke-width=\"0.4\">\(title)</circle>\n"
    }

    /// A closed subpath, dropping points closer than a third of a unit to the previous one
    /// (invisible at this scale; keeps a département's map to a few hundred kilobytes).
    private static func ring(_ ring: [Coordinate], frame: MapFrame) -> String {
        var out = ""
        var kept = 0
        var last = (x: -1e9, y: -1e9)
        for p in ring {
            let x = frame.x(p.lon)
            let y = frame.y(p.lat)
            guard abs(x - last.x) + abs(y - last.y) >= 0.35 else { continue }
            out += (kept == 0 ? "M" : "L") + number(x) + " " + number(y)
            last = (x, y)
            kept += 1
        }
        return kept >= 3 ? out + "Z" : ""
    }

    private func legend(
        palette: Palette, counts: [Int: Int], cafeUnknown: Int, sites: SiteLayer, words: Vocabulary, top: Double
    ) -> String {
        var out = "<g id=\"legend\" data-role=\"legend\" transform=\"translate(12 \(Self.number(top + 6)))\">\n"
        out += "<text x=\"0\" y=\"14\" font-weight=\"bold\">\(XMLText.escape(words["ui.legend"]))</text>\n"
        for (i, entry) in palette.entries.enumerated() {
            let y = 24 + 20 * Double(i)
            out +=
                "<rect x=\"0\" y=\"\(Self.number(y))\" width=\"16\" height=\"14\" fill=\"\(entry.colour)\" "
                + "stroke=\"#777777\" stroke-width=\"0.5\"/>"
            out +=
                "<text x=\"22\" y=\"\(Self.number(y + 11))\">\(XMLText.escape(entry.label(words))) "
                + "(\(words.number(Double(counts[i] ?? 0))))</text>\n"
        }
        if cafeUnknown > 0 {
            let y = 24 + 20 * Double(palette.entries.count)
            out +=
                "<rect x=\"0\" y=\"\(Self.number(y))\" width=\"16\" height=\"14\" fill=\"url(#cafe-unknown-0)\" "
                + "stroke=\"#777777\" stroke-width=\"0.5\"/>"
            out +=
                "<text x=\"22\" y=\"\(Self.number(y + 11))\">\(XMLText.escape(words["status.cafe_unknown"])) "
                + "(\(words.number(Double(cafeUnknown))))</text>\n"
        }
        out += sites.legend(words: words, first: palette.entries.count + 1)
        return out + "</g>\n"
    }

    private func scaleBar(frame: MapFrame, words: Vocabulary, top: Double, legendHeight: Double) -> String {
        let km = frame.scaleBarKm
        let length = km * frame.unitsPerKm
        let x = frame.width - frame.margin - length
        let y = top + legendHeight - 14
        return """
            <g id="scale-bar" data-role="scale-bar" \
            aria-label="\(XMLText.escape(words["ui.scale"])) \(words.number(km)) \(words["ui.km"])">\
            <path d="M\(Self.number(x)) \(Self.number(y - 5))V\(Self.number(y))\
            H\(Self.number(x + length))V\(Self.number(y - 5))" \
            fill="none" stroke="#000000" stroke-width="1.5"/>\
            <text x="\(Self.number(x + length / 2))" y="\(Self.number(y - 8))" text-anchor="middle">\
            \(words.number(km)) \(words["ui.km"])</text></g>\n
            """
    }

    /// A coordinate with at most one decimal, without trailing zeros.
    static func number(_ v: Double) -> String { DecimalText.format(v, decimals: 1) }
}
