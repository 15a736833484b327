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
