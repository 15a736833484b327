import Formats
import Hummingbird

/// Compresses text answers (JSON, CSV, SVG, GeoJSON, Atom, HTML, CSS, JavaScript) with gzip when
/// the client accepts it, as they stream: a national map or export shrinks five- to tenfold.
struct GzipMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Smaller answers are sent as they are (a known length below this).
    static var minimumBytes: Int { 1024 }  // computed: a generic type holds no stored statics

    /// zlib's level 3, not its default 6: on the whole-France map, 146 → 41 ms for the JSON
    /// (805 → 980 KB) and 210 → 38 ms for the SVG (914 → 1,009 KB), a tenth of each map's time,
    /// for answers a fifth larger at most (nginx compresses at level 1 by default).
    static var level: Int32 { 3 }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let response = try await next(request, context)
        // GET only: a HEAD answer has no body to compress, and its length must stay the real one.
        guard request.method == .get, request.headers[.acceptEncoding].map(Self.acceptsGzip) == true,
            response.status == .ok, response.headers[.contentEncoding] == nil,
            Self.isText(response.headers[.contentType]), (response.body.contentLength ?? Int.max) >= Self.minimumBytes
        else { return response }
        var compressed = response
        compressed.headers[.contentEncoding] = "gzip"
        compressed.headers[.contentLength] = nil
        compressed.headers[.vary] = "Accept-Encoding"
        let body = response.body
        compressed.body = ResponseBody { writer in
            try await body.write(GzipWriter(parent: writer, encoder: try GzipEncoder(level: Self.level)))
        }
        return compressed
    }

    /// Whether an `Accept-Encoding` value takes gzip (listed, with a weight above 0).
    static func acceptsGzip(_ header: String) -> Bool {
        header.split(separator: ",").contains { part in
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let weight = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return fields.first == "gzip" && weight > 0
        }
    }

    /// Whether a `Content-Type` is text worth compressing (JSON, CSV, SVG and other XML, text, scripts).
    static func isText(_ type: String?) -> Bool {
        guard let essence = type?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        else { return false }
        return essence.hasPrefix("text/") || essence.hasSuffix("json") || essence.hasSuffix("xml")
            || essence == "application/javascript"
    }
}

/// Passes each buffer written through the encoder, the trailer at the end.
private struct GzipWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let encoder: GzipEncoder

    mutating func write(_ buffer: ByteBuffer) async throws {
        let bytes = try buffer.withUnsafeReadableBytes { try encoder.compress($0) }
        if !bytes.isEmpty { try await parent.write(ByteBuffer(bytes: bytes)) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await parent.write(ByteBuffer(bytes: try encoder.finish()))
        try await parent.finish(trailingHeaders)
    }
}
