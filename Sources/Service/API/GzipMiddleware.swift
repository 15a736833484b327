import Formats
import Hummingbird

/// Compresses text answers (JSON, CSV, SVG, GeoJSON, Atom, HTML, CSS, JavaScript) with gzip when
/// the client accepts it, as they stream: a national map or export shrinks five- to tenfold.
struct GzipMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Smaller answers are sent as they are (a known length below this).
    static var minimumBytes: Int { 1024 }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let response = try await next(request, context)
        guard request.headers[.acceptEncoding].map(Self.acceptsGzip) == true, response.status == .ok,
            response.headers[.contentEncoding] == nil, Self.isText(response.headers[.contentType]),
            (response.body.contentLength ?? Int.max) >= Self.minimumBytes
        else { return response }
        var compressed = response
        compressed.headers[.contentEncoding] = "gzip"
        compressed.headers[.contentLength] = nil
        compressed.headers[.vary] = "Accept-Encoding"
        let body = response.body
        compressed.body = ResponseBody { writer in
            let encoder = try GzipEncoder()
            try await body.write(GzipWriter(parent: writer, encoder: encoder))
        }
        return compressed
    }

    static func acceptsGzip(_ header: String) -> Bool {
        header.split(separator: ",").contains { part in
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            return fields.first == "gzip" && !fields.dropFirst().contains("q=0")
        }
    }

    static func isText(_ type: String?) -> Bool {
        guard let type else { return false }
        return ["json", "csv", "svg", "xml", "text/", "javascript"].contains { type.contains($0) }
    }
}

/// Passes each buffer written through the encoder, the trailer at the end.
private struct GzipWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let encoder: GzipEncoder

    mutating func write(_ buffer: ByteBuffer) async throws {
        let bytes = buffer.withUnsafeReadableBytes { encoder.compress($0) }
        if !bytes.isEmpty { try await parent.write(ByteBuffer(bytes: bytes)) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await parent.write(ByteBuffer(bytes: encoder.finish()))
        try await parent.finish(trailingHeaders)
    }
}
