/// One alert to send to one webhook, and where its sending stands.
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
    public var state: State
    /// Attempts made so far.
    public var attempts: Int

    public init(id: Int64, webhook: String, alert: Alert, state: State, attempts: Int) {
        self.id = id
        self.webhook = webhook
        self.alert = alert
        self.state = state
        self.attempts = attempts
    }
}

/// One attempt to send an alert to a webhook, as logged in the store.
public struct DeliveryAttempt: Sendable, Equatable, Codable {
    public var delivery: Int64
    public var webhook: String
    public var alert: Int64
    /// ISO 8601, UTC.
    public var at: String
    public var outcome: WebhookDelivery.Outcome
    /// The receiver's HTTP status, when it answered.
    public var httpStatus: Int?
    public var error: String?
    public var seconds: Double

    public init(
        delivery: Int64, webhook: String, alert: Int64, at: String, outcome: WebhookDelivery.Outcome,
        httpStatus: Int?, error: String?, seconds: Double
    ) {
        self.delivery = delivery
        self.webhook = webhook
        self.alert = alert
        self.at = at
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.error = error
        self.seconds = seconds
    }
}

/// How a webhook's deliveries stand: what `status` and `/metrics` report.
public struct WebhookHealth: Sendable, Equatable, Codable {
    public var webhook: String
    public var pending: Int
    public var delivered: Int
    public var abandoned: Int
    /// Failed attempts since its last delivered one: a webhook that keeps failing shows here.
    public var consecutiveFailures: Int
    public var lastAttemptAt: String?
    public var lastError: String?

    public init(
        webhook: String, pending: Int, delivered: Int, abandoned: Int, consecutiveFailures: Int,
        lastAttemptAt: String?, lastError: String?
    ) {
        self.webhook = webhook
        self.pending = pending
        self.delivered = delivered
        self.abandoned = abandoned
        self.consecutiveFailures = consecutiveFailures
        self.lastAttemptAt = lastAttemptAt
        self.lastError = lastError
    }
}
