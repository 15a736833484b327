import Foundation
import GRDB

/// The SQLite store: one file, WAL, migrated when opened. Owns every table; callers go through
/// its typed methods, never raw SQL.
///
/// ```swift
/// let store = try Store(path: "var/ruralmap.sqlite")
/// let status = try store.sourceStatuses()
/// ```
public struct Store: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    /// - Throws: `StoreError` when the file cannot be opened or migrated.
    public init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            var config = Configuration()
            config.busyMode = .timeout(30)
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            pool = try DatabasePool(path: path, configuration: config)
            try Schema.migrator.migrate(pool)
            // A process killed mid-ingestion leaves its run 'running': it did not finish.
            try pool.write { db in
                try db.execute(
                    sql: """
                        UPDATE ingestion_run SET outcome = 'failed', finished_at = ?, error = 'interrupted (process stopped before the run finished)'
                        WHERE outcome = 'running'
                        """, arguments: [Store.now()])
            }
        } catch {
            throw StoreError(path: path, message: "cannot open the store: \(error)")
        }
    }

    /// Whether migrations are all applied (for readiness probes).
    public func isMigrated() throws -> Bool {
        try pool.read { try Schema.migrator.hasCompletedMigrations($0) }
    }

    /// `PRAGMA integrity_check` result ("ok" when sound).
    public func integrityCheck() throws -> String {
        try pool.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") ?? "" }
    }

    /// Timestamps are ISO 8601 UTC with milliseconds (run durations need sub-second precision).
    static func now() -> String {
        timestampFormatter().string(from: Date())
    }

    static func timestampFormatter() -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }
}

/// A failure of the store, with the database path.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }
}
