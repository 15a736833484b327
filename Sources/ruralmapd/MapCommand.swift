import ArgumentParser
import Cartography
import Export
import Foundation
import Store

struct MapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map", abstract: "Draw the communes as a standalone SVG (or PNG) map of losses and candidates.",
        discussion: """
            One shape per commune (its contour, or a dot at its centroid when no contour is loaded), coloured by \
            status: \
            candidates by rank class, lost café, lost shops or services, no loss; with a legend and a scale bar. \
            The daemon's page (GET /) shows the same map, interactive. PNG needs rsvg-convert (Debian librsvg2-bin).
            """)

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("dep"), help: "Département code (repeatable); all communes when absent.")
    var departements: [String] = []
    @Option(help: "Candidates by rank over losses, or losses only.") var what = MapLayer.candidates
    @Option(help: "The language of the map.") var lang = Language.fr
    @Option(help: "The file format (PNG needs rsvg-convert).") var format = MapFormat.svg
    @Option(help: "Output file.") var output: String

    /// The file formats of `ruralmapd map`.
    enum MapFormat: String, CaseIterable, ExpressibleByArgument {
        case svg, png
    }

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        let layer = what
        let language = lang
        let rasterizer = SVGRasterizer()
        if format == .png && rasterizer.executable == nil {
            throw CommandFailure(
                "--format png needs rsvg-convert (Debian package librsvg2-bin), which is not installed; "
                    + "--format svg works without it"
            )
        }
        let store = try Store(path: config.storePath, access: .readOnly)
        do {
            let svg = try await MapRenderer(store: store, targetVintage: config.targetVintage)
                .svg(MapSettings(departements: departements, layer: layer, language: language))
            if format == .svg {
                let file = try AtomicFile(path: output)
                try file.write(svg)
                try file.commit()
            } else {
                let temp = NSTemporaryDirectory() + "/ruralmapd-map-\(getpid()).svg"
                defer { unlink(temp) }
                try svg.write(toFile: temp, atomically: false, encoding: .utf8)
                let partial = output + ".partial"
                defer { unlink(partial) }
                try rasterizer.convert(svg: temp, png: partial)
                guard rename(partial, output) == 0 else {
                    throw CommandFailure("cannot write \(output): \(String(cString: strerror(errno)))")
                }
            }
        } catch let error as CommandFailure { throw error } catch { throw CommandFailure("\(error)") }
    }
}

extension MapLayer: ExpressibleByArgument {}
extension Language: ExpressibleByArgument {}
