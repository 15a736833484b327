import Analysis
import Fetching
import Foundation
import Logging
import Store

/// Sends the alert deliveries that are due, one attempt each, and logs every attempt in the
/// store: delivered on a 2xx, else tried again after a delay that doubles each time, abandoned
/// after `[alerts] max_attempts` (or at once when its webhook left the config).
public struct WebhookDispatch: Sendable {
    public let config: Config
    public let store: Store
    public let logger: Logger

    public init(config: Config, store: Store, logger: Logger) {
        self.config = config
        self.store = store
        self.logger = logger
    }

    /// The deliveries due now, by webhook, except to the `busy` ones.
    public func due(excluding busy: Set<String> = []) async throws -> [String: [WebhookDelivery]] {
        Dictionary(grouping: try await store.dueDeliveries(at: Store.now(), excluding: busy), by: \.webhook)
    }

    /// Attempts `deliveries` (of one webhook) in turn, until one fails: the receiver is then
    /// left alone until the retry (its other deliveries wait with it, their attempts unspent).
    public func deliver(_ deliveries: [WebhookDelivery]) async throws {
        for delivery in deliveries {
            try Task.checkCancellation()
            guard try await attempt(delivery) else { return }
        }
    }

    /// One attempt; true when delivered.
    private func attempt(_ delivery: WebhookDelivery) async throws -> Bool {
        guard let webhook = config.webhooks.first(where: { $0.name == delivery.webhook }) else {
            try await store.recordAttempt(
                delivery, outcome: .abandoned, httpStatus: nil, error: "webhook no longer configured", seconds: 0,
                retryAt: nil)
            return true  // nothing to wait for: the next ones are abandoned the same way
        }
        let body = try ContractEncoding.encoder(indented: false).encode(AlertSummary(delivery.alert))
        var headers = [
            "Content-Type: application/json", "X-Ruralmap-Delivery: \(delivery.id)",
            "X-Ruralmap-Event: alert.\(delivery.alert.change.rawValue)",
        ]
        var sent: WebhookPost.Outcome
        do {
            if let key = try webhook.secret() {
                headers.append("X-Ruralmap-Signature: \(WebhookPost.signature(of: body, key: key))")
            }
            sent = await WebhookPost.send(
                url: webhook.url, body: body, headers: headers, timeout: config.alerts.timeout,
                userAgent: config.fetch.userAgent)
        } catch {
            // Never sent unsigned: a failed attempt, visible in `status`, retried when the file is back.
            sent = WebhookPost.Outcome(httpStatus: 0, error: "\(error)", seconds: 0)
        }
        try Task.checkCancellation()  // stopped mid-attempt: not the receiver's failure
        let attempts = delivery.attempts + 1
        // A receiver that refuses the request for good (4xx other than timeouts and rate limits)
        // will refuse it again.
        let refused = (400..<500).contains(sent.httpStatus) && ![408, 425, 429].contains(sent.httpStatus)
        let outcome: WebhookDelivery.Outcome =
            sent.delivered ? .delivered : (refused || attempts >= config.alerts.maxAttempts) ? .abandoned : .failed
        let error = sent.delivered ? nil : sent.error ?? "HTTP \(sent.httpStatus)"
        let retryAt =
            outcome == .failed
            ? Store.timestampFormatter().string(
                from: Date().addingTimeInterval(config.alerts.delay(afterAttempts: attempts))) : nil
        try await store.recordAttempt(
            delivery, outcome: outcome, httpStatus: sent.httpStatus == 0 ? nil : sent.httpStatus, error: error,
            seconds: sent.seconds, retryAt: retryAt)
        let metadata: Logger.Metadata = [
            "webhook": "\(webhook.name)", "alert": "\(delivery.alert.id ?? 0)", "attempt": "\(attempts)",
            "outcome": "\(outcome.rawValue)", "error": "\(error ?? "")",
        ]
        if outcome == .delivered {
            logger.info("alert delivered", metadata: metadata)
        } else {
            logger.warning("alert delivery failed", metadata: metadata)
        }
        return outcome == .delivered
    }
}
