/// One alert to send to one webhook, and how many attempts it had.
public struct WebhookDelivery: Sendable, Equatable {
    /// Where a delivery stands.
    public enum State: String, Sendable, CaseIterable, Codable {
        /// Not sent yet, or to be tried again at `nextAttemptAt`.
        case pending
        /// The receiver answered 2xx.
        case delivered
        /// Every attempt failed, or the webhook left the config: no more tries.
        case abandoned
    }

    /// How one attempt went.
    public enum Outcome: String, Sendable, CaseIterable, Codable {
        case delivered
        /// Failed; another attempt will follow.
        case failed
        /// Failed, and it was the last one.
        case abandoned
    }

    public var id: Int64
    /// The `[[webhook]]`'s name.
    public var webhook: String
    public var alert: Alert
    /// Attempts made so far (a delivery read to be sent is pending).
    public var attempts: Int

    public init(id: Int64, webhook: String, alert: Alert, attempts: Int) {
        self.id = id
        self.webhook = webhook
        self.alert = alert
        self.attempts = attempts
    }
}
