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
