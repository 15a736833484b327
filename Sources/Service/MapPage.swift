import Analysis
import Cartography
import Foundation
import Hummingbird
import Store

/// The map page: `GET /` and its script and style (compiled into the binary), and the JSON and
/// SVG it reads. Everything comes from this server: the content security policy forbids any
/// other origin, so the page works offline and leaks nothing.
extension APIServer {
    static let pageHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        .init("X-Content-Type-Options")!: "nosniff",
        .init("Referrer-Policy")!: "no-referrer",
    ]

    func addMapRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in Self.asset(PackageResources.index_html, type: "text/html; charset=utf-8") }
        router.get("assets/map.js") { _, _ in
            Self.asset(PackageResources.map_js, type: "text/javascript; charset=utf-8")
        }
        router.get("assets/map.css") { _, _ in Self.asset(PackageResources.map_css, type: "text/css; charset=utf-8") }
        router.get("api/v1/vocabulary") { _, _ in Self.json(Vocabulary.json) }
        router.get("api/v1/departements") { _, _ in
            try await guarded {
                let list = try await store.departements(targetVintage: configs.current.targetVintage)
                return Self.json(list.map { ["code": $0.code, "communes": $0.communes, "candidates": $0.candidates] })
            }
        }
        router.get("api/v1/map") { request, _ in
            try await guarded {
                let settings = try Self.mapSettings(request)
                let communes = try await renderer.communes(settings)
                return Self.json([
                    "communes": communes.map(\.json), "categories": try await store.categories(),
                    "field_statuses": CandidateRecord.statuses,
                ])
            }
        }
        router.get("api/v1/map.svg") { request, _ in
            try await guarded {
                let svg = try await renderer.svg(try Self.mapSettings(request))
                var headers = Self.pageHeaders
                headers[.contentType] = "image/svg+xml; charset=utf-8"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: svg)))
            }
        }
    }

    private var renderer: MapRenderer { MapRenderer(store: store, targetVintage: configs.current.targetVintage) }

    /// `dep` (repeatable), `what` (`candidates`, `losses`) and `lang` (`fr`, `en`) from the query.
    static func mapSettings(_ request: Request) throws -> MapSettings {
        let q = request.uri.queryParameters
        let deps = q.getAll("dep").map { String($0) }.filter { !$0.isEmpty }
        guard let layer = MapLayer(rawValue: q["what"].map(String.init) ?? "candidates") else {
            throw APIError(status: .badRequest, message: "what must be candidates or losses")
        }
        guard let language = Language(rawValue: q["lang"].map(String.init) ?? "fr") else {
            throw APIError(status: .badRequest, message: "lang must be fr or en")
        }
        return MapSettings(departements: deps, layer: layer, language: language)
    }

    private static func asset(_ bytes: [UInt8], type: String) -> Response {
        var headers = pageHeaders
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
