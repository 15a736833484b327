import Analysis
import Cartography
import Catalog
import Formats
import Foundation
import Hummingbird
import Pipeline
import Store

/// The map page (`GET /`, its script and style, compiled into the binary) and the JSON and SVG it
/// reads. Everything comes from this server: the content security policy forbids any other
/// origin, so the page works offline and leaks nothing.
struct MapController {
    let configs: ConfigHolder
    let store: Store

    /// `default-src 'self'` and a few more, by Hummingbird's own middleware.
    static let security = ContentSecurityMiddleware<RuralmapRequestContext>(contentSecurityPolicy: [
        .defaultSrc(.self), .imgSrc(.self, "data:"), .frameAncestors(.none), .baseURI(.none), .formAction(.self),
    ])

    func addRoutes(to router: Router<RuralmapRequestContext>, api: RouterGroup<RuralmapRequestContext>) {
        let page = router.group().add(middleware: Self.security)
        page.get("/") { _, _ in Self.asset(PackageResources.index_html, type: "text/html; charset=utf-8") }
        page.get("assets/map.js") { _, _ in Self.asset(PackageResources.map_js, type: "text/javascript; charset=utf-8")
        }
        page.get("assets/map.css") { _, _ in Self.asset(PackageResources.map_css, type: "text/css; charset=utf-8") }
        api.get("vocabulary") { _, _ in Vocabulary.json }
        api.get("departements", use: departements)
        api.get("map", use: map)
        api.group().add(middleware: Self.security).get("map.svg", use: svg)
    }

    /// `GET /api/v1/map`: the communes of the selection with their map status, for the table.
    struct MapData: Codable, Equatable {
        var communes: [MapCommune]
        var categories: [ServiceCategory]
        var fieldStatuses: [FieldStatus]

        /// As the contract encoder writes it (sorted keys), written by hand into one buffer: for the
        /// whole of France, `JSONEncoder` built a tree of 35,000 objects first. The communes'
        /// objects are written in `parts` concurrently, then joined in order: on one core their
        /// writing was a quarter of a whole-France map (0.23 s). By default, a part per core of
        /// at least 1,000 communes.
        func json(parts: Int? = nil) async -> ByteBuffer {
            let communes = self.communes
            let wanted = parts ?? min(ProcessInfo.processInfo.activeProcessorCount, communes.count / 1000)
            // Never more parts than communes: none is empty but the only one of an empty map.
            let count = max(1, min(wanted, communes.count))
            let texts = await withTaskGroup(of: (Int, String).self) { group in
                for part in 0..<count {
                    group.addTask {
                        let slice = communes[communes.count * part / count..<communes.count * (part + 1) / count]
                        return (part, slice.lazy.map(\.json).joined(separator: ","))
                    }
                }
                var texts = [String](repeating: "", count: count)
                for await (part, text) in group { texts[part] = text }
                return texts
            }
            var buffer = ByteBuffer()
            buffer.reserveCapacity(communes.count * 240)
            buffer.writeString(
                "{\"categories\":" + JSONObjectText.array(categories.map(\.rawValue)) + ",\"communes\":[")
            for (i, text) in texts.enumerated() {
                if i > 0 { buffer.writeString(",") }
                buffer.writeString(text)
            }
            buffer.writeString(
                "],\"field_statuses\":" + JSONObjectText.array(fieldStatuses.map(\.rawValue)) + "}")
            return buffer
        }
    }

    @Sendable func departements(
        _ request: Request, context: RuralmapRequestContext
    ) async throws -> [DepartementSummary] {
        try await store.departements(targetVintage: configs.current.targetVintage)
    }

    @Sendable func map(_ request: Request, context: RuralmapRequestContext) async throws -> Response {
        let data = MapData(
            communes: try await renderer.communes(try Self.settings(request)), categories: try await store.categories(),
            fieldStatuses: FieldStatus.allCases)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: await data.json()))
    }

    @Sendable func svg(_ request: Request, context: RuralmapRequestContext) async throws -> Response {
        let svg = try await renderer.svg(try Self.settings(request))
        return Response(
            status: .ok,
            headers: [.contentType: "image/svg+xml; charset=utf-8", .init("Referrer-Policy")!: "no-referrer"],
            body: .init(byteBuffer: ByteBuffer(string: svg)))
    }

    private var renderer: MapRenderer { MapRenderer(store: store, targetVintage: configs.current.targetVintage) }

    /// `dep` (repeatable), `what` (`candidates`, `losses`) and `lang` (`fr`, `en`) from the query.
    static func settings(_ request: Request) throws -> MapSettings {
        let q = QueryParameters(request)
        return MapSettings(
            departements: q.all("dep"), layer: try q.value("what", default: MapLayer.candidates),
            language: try q.value("lang", default: Language.fr))
    }

    private static func asset(_ bytes: [UInt8], type: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "no-cache", .init("Referrer-Policy")!: "no-referrer"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension DepartementSummary: ResponseEncodable {}
