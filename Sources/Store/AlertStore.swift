import Analysis
import Catalog
import Foundation
import GRDB
import Territory

/// Alerts (see ``Alert``) and their deliveries to webhooks: written by the analysis that found
/// them, in the transaction that makes it current; read by the CLI, the API and the feed; sent by
/// the daemon's dispatcher, which logs every attempt.
extension Store {
    /// The last known flag of each watched category, by commune (see ``WatchUpdate``); empty
    /// before the first analysis.
    public func knownFlags() async throws -> [CommuneCode: [ServiceCategory: LossFlag]] {
        try await writer.read { db in
            var out: [CommuneCode: [ServiceCategory: LossFlag]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT commune, category, flag FROM watch_state")
            while let r = try rows.next() { out[r["commune"], default: [:]][r["category"]] = r["flag"] as LossFlag }
            return out
        }
    }

    /// Saves what analysis `analysisID` changed in the watch: the last known flags, its alerts,
    /// and a delivery of each alert to every webhook whose filter takes it; called inside the
    /// transaction that makes the analysis current, so that all stand or fall together.
    static func record(
        _ watch: WatchUpdate, analysisID: Int64, webhooks: [(name: String, filter: AlertFilter)], at now: String,
        _ db: Database
    ) throws {
        let state = try db.cachedStatement(
            sql: """
                INSERT INTO watch_state (commune, category, flag) VALUES (?, ?, ?)
                ON CONFLICT (commune, category) DO UPDATE SET flag = excluded.flag
                """)
        for f in watch.states { try state.execute(arguments: [f.commune, f.category, f.flag]) }
        for alert in watch.alerts {
            try db.execute(
                sql: """
                    INSERT INTO alert (analysis_id, commune, name, dep, category, change, vintage_from, vintage_to,
                        sources, detected_at, candidate_rank)
                    VALUES (?,?,?,?,?,?,?,?,?,?,?)
                    """,
                arguments: [
                    analysisID, alert.commune, alert.name, alert.departement, alert.category, alert.change,
                    alert.vintageFrom, alert.vintageTo, alert.sources, now, alert.candidateRank,
                ])
            let id = db.lastInsertedRowID
            for webhook in webhooks where webhook.filter.routes(alert) {
                try db.execute(
                    sql: """
                        INSERT INTO webhook_delivery (alert_id, webhook, state, next_attempt_at)
                        VALUES (?, ?, 'pending', ?)
                        """, arguments: [id, webhook.name, now])
            }
        }
    }

    /// Alerts passing `filter`, newest first.
    public func alerts(_ filter: AlertFilter, limit: Int = 100, offset: Int = 0) async throws -> [Alert] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM alert
                    WHERE (? = 0 OR dep IN (SELECT value FROM json_each(?)))
                        AND (? = 0 OR category IN (SELECT value FROM json_each(?)))
                        AND (? IS NULL OR detected_at >= ?)
                    ORDER BY id DESC LIMIT ? OFFSET ?
                    """,
                arguments: [
                    filter.departements.isEmpty ? 0 : 1, Self.jsonArray(filter.departements),
                    filter.categories.isEmpty ? 0 : 1, Self.jsonArray(filter.categories.map(\.rawValue)),
                    filter.since, filter.since, limit, offset,
                ]
            ).map(Self.alert)
        }
    }

    /// The store's own identity, made when it was created (or upgraded to alerts).
    public func identity() async throws -> UUID {
        try await writer.read { db in
            guard let text = try String.fetchOne(db, sql: "SELECT uuid FROM store_identity"),
                let uuid = UUID(uuidString: text)
            else { throw StoreError(path: path, message: "the store has no identity") }
            return uuid
        }
    }

    /// Pending deliveries due at `now` to webhooks other than `busy`, oldest first.
    public func dueDeliveries(
        at now: String, excluding busy: Set<String> = [], limit: Int = 100
    ) async throws
        -> [WebhookDelivery]
    {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.id AS delivery_id, d.webhook, d.attempts, a.*
                    FROM webhook_delivery d JOIN alert a ON a.id = d.alert_id
                    WHERE d.state = 'pending' AND d.next_attempt_at <= ?
                        AND d.webhook NOT IN (SELECT value FROM json_each(?))
                    ORDER BY d.next_attempt_at, d.id LIMIT ?
                    """, arguments: [now, Self.jsonArray(busy.sorted()), limit]
            ).map { r in
                WebhookDelivery(
                    id: r["delivery_id"], webhook: r["webhook"], alert: Self.alert(r),
                    attempts: r["attempts"])
            }
        }
    }

    /// Logs an attempt at `delivery` and moves it on: delivered, abandoned, or pending again at
    /// `retryAt` — with the webhook's other pending deliveries due before then, so that a
    /// receiver that is down is tried once per delay, not once per alert.
    public func recordAttempt(
        _ delivery: WebhookDelivery, outcome: WebhookDelivery.Outcome, httpStatus: Int?, error: String?,
        seconds: Double, retryAt: String?
    ) async throws {
        try await writer.write { db in
            let state: WebhookDelivery.State =
                switch outcome {
                case .delivered: .delivered
                case .failed: .pending
                case .abandoned: .abandoned
                }
            let now = Store.now()
            try db.execute(
                sql: """
                    INSERT INTO delivery_attempt (delivery_id, at, outcome, http_status, error, seconds)
                    VALUES (?,?,?,?,?,?)
                    """, arguments: [delivery.id, now, outcome, httpStatus, error, seconds])
            try db.execute(
                sql: """
                    UPDATE webhook_delivery SET state = ?, attempts = attempts + 1, next_attempt_at = COALESCE(?, ?)
                    WHERE id = ?
                    """, arguments: [state, retryAt, now, delivery.id])
            if let retryAt {
                try db.execute(
                    sql: """
                        UPDATE webhook_delivery SET next_attempt_at = ?
                        WHERE webhook = ? AND state = 'pending' AND next_attempt_at < ?
                        """, arguments: [retryAt, delivery.webhook, retryAt])
            }
        }
    }

    /// The latest delivery attempts, newest first (`ruralmapd alerts --deliveries`).
    public func deliveryAttempts(limit: Int = 100) async throws -> [DeliveryAttempt] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.*, d.webhook, d.alert_id FROM delivery_attempt t
                    JOIN webhook_delivery d ON d.id = t.delivery_id ORDER BY t.id DESC LIMIT ?
                    """, arguments: [limit]
            ).map { r in
                DeliveryAttempt(
                    delivery: r["delivery_id"], webhook: r["webhook"], alert: r["alert_id"], at: r["at"],
                    outcome: r["outcome"], httpStatus: r["http_status"], error: r["error"], seconds: r["seconds"])
            }
        }
    }

    /// How each webhook's deliveries stand, by name.
    public func webhookHealth() async throws -> [WebhookHealth] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT webhook,
                        SUM(state = 'pending') AS pending, SUM(state = 'delivered') AS delivered,
                        SUM(state = 'abandoned') AS abandoned,
                        (SELECT COUNT(*) FROM delivery_attempt t JOIN webhook_delivery d2 ON d2.id = t.delivery_id
                            WHERE d2.webhook = d.webhook AND t.outcome != 'delivered'
                            AND t.id > COALESCE((SELECT MAX(t3.id) FROM delivery_attempt t3
                                JOIN webhook_delivery d3 ON d3.id = t3.delivery_id
                                WHERE d3.webhook = d.webhook AND t3.outcome = 'delivered'), 0)) AS failures,
                        (SELECT t.at FROM delivery_attempt t JOIN webhook_delivery d2 ON d2.id = t.delivery_id
                            WHERE d2.webhook = d.webhook ORDER BY t.id DESC LIMIT 1) AS last_at,
                        (SELECT t.error FROM delivery_attempt t JOIN webhook_delivery d2 ON d2.id = t.delivery_id
                            WHERE d2.webhook = d.webhook ORDER BY t.id DESC LIMIT 1) AS last_error
                    FROM webhook_delivery d GROUP BY webhook ORDER BY webhook
                    """
            ).map { r in
                WebhookHealth(
                    webhook: r["webhook"], pending: r["pending"], delivered: r["delivered"], abandoned: r["abandoned"],
                    consecutiveFailures: r["failures"], lastAttemptAt: r["last_at"], lastError: r["last_error"])
            }
        }
    }

    private static func alert(_ r: Row) -> Alert {
        Alert(
            id: r["id"], commune: r["commune"], name: r["name"], departement: r["dep"], category: r["category"],
            change: r["change"], vintageFrom: r["vintage_from"], vintageTo: r["vintage_to"], sources: r["sources"],
            detectedAt: r["detected_at"], candidateRank: r["candidate_rank"])
    }
}
