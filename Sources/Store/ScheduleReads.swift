import Analysis
import Catalog
import Foundation
import GRDB

/// When the daemon will next fetch a source, and how many times in a row it failed (table
/// `schedule`, the time as Unix seconds).
public struct ScheduleEntry: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "schedule"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    public static let databaseDateDecodingStrategy = DatabaseDateDecodingStrategy.timeIntervalSince1970
    public static let databaseDateEncodingStrategy = DatabaseDateEncodingStrategy.timeIntervalSince1970

    public var source: String
    public var nextRun: Date
    public var failures: Int

    public init(source: String, nextRun: Date, failures: Int) {
        self.source = source
        self.nextRun = nextRun
        self.failures = failures
    }
}

/// Figures for the Prometheus endpoint.
public struct StoreMetrics: Sendable {
    /// (source, outcome) → runs
    public var runs: [String: [RunState: Int]] = [:]
    public var rowsLoaded: [String: Int] = [:]
    public var bytes: [String: Int] = [:]
    public var lastDurationSeconds: [String: Double] = [:]
    public var lastSuccess: [String: Double] = [:]
    public var candidates = 0
    /// Alerts by category and change.
    public var alerts: [ServiceCategory: [AlertChange: Int]] = [:]
    /// Webhook delivery attempts by outcome.
    public var deliveries: [WebhookDelivery.Outcome: Int] = [:]
}

extension Store {
    /// The daemon's schedule, by source.
    public func schedule() async throws -> [String: ScheduleEntry] {
        try await writer.read { db in
            Dictionary(try ScheduleEntry.fetchAll(db).map { ($0.source, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Records a source's next run.
    public func setSchedule(_ entry: ScheduleEntry) async throws {
        try await writer.write { try entry.save($0) }
    }

    public func metrics() async throws -> StoreMetrics {
        try await writer.read { db in
            var m = StoreMetrics()
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT source, outcome, COUNT(*) AS n, SUM(COALESCE(rows_loaded, 0)) AS rows,
                        SUM(COALESCE(bytes, 0)) AS bytes
                    FROM ingestion_run GROUP BY source, outcome
                    """
            ) {
                let source: String = r["source"]
                m.runs[source, default: [:]][r["outcome"]] = r["n"]
                m.rowsLoaded[source, default: 0] += r["rows"] as Int
                m.bytes[source, default: 0] += r["bytes"] as Int
            }
            let iso = Store.timestampFormatter()
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT source, started_at, finished_at FROM ingestion_run
                    WHERE id IN (SELECT MAX(id) FROM ingestion_run WHERE finished_at IS NOT NULL GROUP BY source)
                    """)
            {
                if let s = iso.date(from: r["started_at"]), let f = (r["finished_at"] as String?).flatMap(iso.date) {
                    m.lastDurationSeconds[r["source"]] = f.timeIntervalSince(s)
                }
            }
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT source, MAX(finished_at) AS t FROM ingestion_run
                    WHERE outcome IN ('loaded', 'unchanged') GROUP BY source
                    """
            ) {
                if let t = (r["t"] as String?).flatMap(iso.date) {
                    m.lastSuccess[r["source"]] = t.timeIntervalSince1970
                }
            }
            m.candidates = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM candidate_status WHERE listed = 1") ?? 0
            for r in try Row.fetchAll(db, sql: "SELECT category, change, COUNT(*) AS n FROM alert GROUP BY 1, 2") {
                m.alerts[r["category"], default: [:]][r["change"]] = r["n"]
            }
            for r in try Row.fetchAll(db, sql: "SELECT outcome, COUNT(*) AS n FROM delivery_attempt GROUP BY 1") {
                m.deliveries[r["outcome"]] = r["n"]
            }
            return m
        }
    }
}
