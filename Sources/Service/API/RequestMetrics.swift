import Foundation
import Hummingbird
import Store
import Synchronization

/// HTTP request counts by route and status, plus the store's ingestion figures, as Prometheus text.
public final class RequestMetrics: Sendable {
    private let requests = Mutex<[String: Int]>([:])

    public init() {}

    func record(route: String, status: Int) {
        requests.withLock { $0["\(route)|\(status)", default: 0] += 1 }
    }

    /// The Prometheus text exposition (format 0.0.4).
    public func exposition(store: Store) async throws -> String {
        let m = try await store.metrics()
        var out: [String] = []
        func family(_ name: String, _ type: String, _ help: String) {
            out += ["# HELP \(name) \(help)", "# TYPE \(name) \(type)"]
        }
        func label(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        }
        family("ruralmapd_ingestion_runs_total", "counter", "Ingestion runs by source and outcome.")
        for (source, outcomes) in m.runs.sorted(by: { $0.key < $1.key }) {
            for (outcome, n) in outcomes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                out.append(
                    "ruralmapd_ingestion_runs_total{source=\"\(label(source))\",outcome=\"\(outcome.rawValue)\"} \(n)")
            }
        }
        family("ruralmapd_ingestion_rows_loaded_total", "counter", "Rows loaded by source.")
        for (s, n) in m.rowsLoaded.sorted(by: { $0.key < $1.key }) {
            out.append("ruralmapd_ingestion_rows_loaded_total{source=\"\(label(s))\"} \(n)")
        }
        family("ruralmapd_ingestion_bytes_total", "counter", "Bytes downloaded by source.")
        for (s, n) in m.bytes.sorted(by: { $0.key < $1.key }) {
            out.append("ruralmapd_ingestion_bytes_total{source=\"\(label(s))\"} \(n)")
        }
        family("ruralmapd_ingestion_last_duration_seconds", "gauge", "Duration of the last finished run by source.")
        for (s, d) in m.lastDurationSeconds.sorted(by: { $0.key < $1.key }) {
            out.append("ruralmapd_ingestion_last_duration_seconds{source=\"\(label(s))\"} \(d)")
        }
        family(
            "ruralmapd_ingestion_last_success_timestamp_seconds", "gauge",
            "Unix time of the last successful run by source.")
        for (s, t) in m.lastSuccess.sorted(by: { $0.key < $1.key }) {
            out.append("ruralmapd_ingestion_last_success_timestamp_seconds{source=\"\(label(s))\"} \(t)")
        }
        family("ruralmapd_candidates", "gauge", "Candidate communes currently listed.")
        out.append("ruralmapd_candidates \(m.candidates)")
        family("ruralmapd_alerts_total", "counter", "Alerts detected by category and change.")
        for (category, changes) in m.alerts.sorted(by: { $0.key < $1.key }) {
            for (change, n) in changes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                out.append(
                    "ruralmapd_alerts_total{category=\"\(label(category.rawValue))\",change=\"\(change.rawValue)\"} \(n)"
                )
            }
        }
        family("ruralmapd_webhook_deliveries_total", "counter", "Webhook delivery attempts by outcome.")
        for (outcome, n) in m.deliveries.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            out.append("ruralmapd_webhook_deliveries_total{outcome=\"\(outcome.rawValue)\"} \(n)")
        }
        let health = try await store.webhookHealth()
        family(
            "ruralmapd_webhook_consecutive_failures", "gauge",
            "Failed delivery attempts since the webhook's last delivered one.")
        for h in health {
            out.append(
                "ruralmapd_webhook_consecutive_failures{webhook=\"\(label(h.webhook))\"} \(h.consecutiveFailures)")
        }
        family(
            "ruralmapd_webhook_abandoned_deliveries", "gauge", "Alerts a webhook never received (attempts exhausted).")
        for h in health {
            out.append("ruralmapd_webhook_abandoned_deliveries{webhook=\"\(label(h.webhook))\"} \(h.abandoned)")
        }
        family("ruralmapd_http_requests_total", "counter", "HTTP requests by route and status.")
        for (key, n) in requests.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            out.append("ruralmapd_http_requests_total{route=\"\(label(parts[0]))\",status=\"\(parts[1])\"} \(n)")
        }
        return out.joined(separator: "\n") + "\n"
    }
}

/// Counts every request by its route pattern (not its raw path: codes would explode the series).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: RequestMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.record(route: context.endpointPath ?? "unmatched", status: Int(response.status.code))
            return response
        } catch let error as HTTPResponseError {
            metrics.record(route: context.endpointPath ?? "unmatched", status: Int(error.status.code))
            throw error
        }
    }
}
