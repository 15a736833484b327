import Formats
import Hummingbird
import Pipeline
import Store

/// ETags, `304 Not Modified` and a cache of recent answers, for the answers that depend only on
/// the store, the config and the query: the tag is the store's data version (which every load,
/// analysis, note, site, alert and mapping change moves), the program's version, the config
/// values answers use, the request's URI and host. A client that asks again for unchanged data gets a
/// 304; another client asking for the same answer gets it from ``ResponseCache``; neither has it
/// computed again.
struct ConditionalGetMiddleware<Context: RequestContext>: RouterMiddleware {
    let configs: ConfigHolder
    let probe: DataVersionProbe
    let cache: ResponseCache

    /// The paths whose answers are the store's: not the runs (a load in progress changes them),
    /// the metrics, the health checks or the static page.
    static func isCacheable(_ path: String) -> Bool {
        path.hasPrefix("/api/v1/") && !path.hasPrefix("/api/v1/runs") && path != "/api/v1/vocabulary"
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .get || request.method == .head, Self.isCacheable(request.uri.path) else {
            return try await next(request, context)
        }
        let config = configs.current
        // The host asked for too: the feed's links are built on it when no public URL is set, and
        // a kept feed must not send one client's host to every reader.
        let inputs = [
            request.uri.description, RuralmapVersion.current, String(config.targetVintage), config.api.publicURL ?? "",
            request.head.authority ?? "",
        ]
        let version = try probe.current()
        // Weak: the same answer may travel gzip-compressed or not.
        let tag = "W/\"\(version)-\(FNV1a.hex(inputs))\""
        // Keep it, ask each time whether it changed; the encoding varies with the request's.
        let headers: HTTPFields = [.eTag: tag, .cacheControl: "no-cache", .vary: "Accept-Encoding"]
        if let asked = request.headers[.ifNoneMatch],
            asked.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag })
        {
            return Response(status: .notModified, headers: headers)
        }
        // HEAD answers carry no body to keep.
        let key = ResponseCache.Key(
            tag: tag, gzip: request.headers[.acceptEncoding].map(GzipMiddleware<Context>.acceptsGzip) == true)
        if request.method == .get, let kept = cache.entry(for: key, version: version) {
            return Response(status: .ok, headers: kept.headers, body: ResponseBody(byteBuffer: kept.body))
        }
        var response = try await next(request, context)
        guard response.status == .ok else { return response }
        for field in headers { response.headers[field.name] = field.value }
        // A body known to be too large to keep (an export) streams untouched.
        if request.method == .get, (response.body.contentLength ?? 0) <= cache.entryLimit {
            response.body = cache.keeping(response.body, headers: response.headers, for: key, version: version)
        }
        return response
    }
}
