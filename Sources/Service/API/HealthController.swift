import Hummingbird
import Store

/// `GET /healthz`, `GET /readyz` and `GET /metrics` (Prometheus text).
struct HealthController {
    let store: Store
    let metrics: RequestMetrics

    /// `{"status": …}`.
    struct Health: ResponseEncodable {
        var status: String
    }

    func addRoutes(to router: Router<RuralmapRequestContext>) {
        router.get("healthz") { _, _ in Health(status: "alive") }
        router.get("readyz") { _, _ in
            (try? store.isMigrated()) == true
                ? EditedResponse(response: Health(status: "ready"))
                : EditedResponse(status: .serviceUnavailable, response: Health(status: "not ready"))
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: try await metrics.exposition(store: store))))
        }
    }
}
