import Foundation
import Hummingbird

/// Guards the write endpoints: `Authorization: Bearer TOKEN`, the token being the content of
/// `[api] token_file` (read at each request, so that a rotated token takes effect at once),
/// compared in constant time. Without a token file, writes are off (403).
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let configs: ConfigHolder

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard let file = configs.current.api.tokenFile,
            let token = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines),
            !token.isEmpty
        else {
            throw APIError(.forbidden, "write endpoints are disabled: no [api] token_file configured")
        }
        let header = request.headers[.authorization] ?? ""
        let given = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        guard Self.constantTimeEqual(Array(given.utf8), Array(token.utf8)) else {
            throw APIError(.unauthorized, "missing or wrong bearer token")
        }
        return try await next(request, context)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) { diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
        return diff == 0
    }
}
