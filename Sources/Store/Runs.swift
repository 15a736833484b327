import GRDB
import Territory

/// One ingestion run of a source, as recorded.
public struct RunRecord: Sendable, Codable, Equatable {
    public var id: Int64
    public var source: String
    public var kind: String
    public var url: String
    public var vintage: Int?
    public var startedAt: String
    public var finishedAt: String?
    /// `running`, `loaded`, `unchanged` or `failed`.
    public var outcome: String
    public var httpStatus: Int?
    public var etag: String?
    public var lastModified: String?
    public var sha256: String?
    public var bytes: Int64?
    public var rowsRead: Int?
    public var rowsLoaded: Int?
    public var rowsRejected: Int?
    public var error: String?
    /// The territory the loaded file describes (`national` or départements, comma-separated).
    public var coverage: String?

    init(row: Row) {
        id = row["id"]
        source = row["source"]
        kind = row["kind"]
        url = row["url"]
        vintage = row["vintage"]
        startedAt = row["started_at"]
        finishedAt = row["finished_at"]
        outcome = row["outcome"]
        httpStatus = row["http_status"]
        etag = row["etag"]
        lastModified = row["last_modified"]
        sha256 = row["sha256"]
        bytes = row["bytes"]
        rowsRead = row["rows_read"]
        rowsLoaded = row["rows_loaded"]
        rowsRejected = row["rows_rejected"]
        error = row["error"]
        coverage = row["coverage"]
    }
}

/// How a run ended, to be recorded.
public struct RunOutcome: Sendable {
    public enum Outcome: String, Sendable { case loaded, unchanged, failed }
    public var outcome: Outcome
    public var httpStatus: Int?
    public var etag: String?
    public var lastModified: String?
    public var sha256: String?
    public var bytes: Int64?
    public var rowsRead = 0
    public var rowsLoaded = 0
    public var rowsRejected = 0
    public var error: String?
    /// Rejected rows kept for the report (the first ones only; see `rowsRejected` for the total).
    public var rejects: [(line: Int, reason: String)] = []
    public var unmapped: [UnmappedCode] = []
    /// The territory the loaded file describes; nil for the geography itself.
    public var coverage: Coverage?

    public init(outcome: Outcome) { self.outcome = outcome }
}

/// A source code that could not be translated to the target geography, with how much it carried.
public struct UnmappedCode: Sendable, Equatable, Codable {
    public var code: String
    public var reason: String
    public var rows: Int
    public var amount: Int
    public init(code: String, reason: String, rows: Int, amount: Int) {
        self.code = code
        self.reason = reason
        self.rows = rows
        self.amount = amount
    }
}

/// The data a source currently holds: which file, fetched with which validators.
public struct LoadedState: Sendable, Equatable {
    public var url: String
    public var sha256: String
    public var etag: String?
    public var lastModified: String?
    public var runID: Int64

    public init(url: String, sha256: String, etag: String?, lastModified: String?, runID: Int64) {
        self.url = url
        self.sha256 = sha256
        self.etag = etag
        self.lastModified = lastModified
        self.runID = runID
    }
}

extension Store {
    /// Records the start of a run and returns its id.
    public func beginRun(source: String, kind: String, url: String, vintage: Int?) async throws -> Int64 {
        try await pool.write { db in
            try db.execute(
                sql:
                    "INSERT INTO ingestion_run (source, kind, url, vintage, started_at, outcome) VALUES (?, ?, ?, ?, ?, 'running')",
                arguments: [source, kind, url, vintage, Store.now()])
            return db.lastInsertedRowID
        }
    }

    /// Records how a run ended without touching the source's data (unchanged or failed runs).
    public func finishRun(_ id: Int64, _ outcome: RunOutcome) async throws {
        try await pool.write { db in try Self.finish(db, id, outcome) }
    }

    static func finish(_ db: Database, _ id: Int64, _ o: RunOutcome) throws {
        try db.execute(
            sql: """
                UPDATE ingestion_run SET finished_at = ?, outcome = ?, http_status = ?, etag = ?, last_modified = ?, sha256 = ?,
                    bytes = ?, rows_read = ?, rows_loaded = ?, rows_rejected = ?, error = ?, coverage = ? WHERE id = ?
                """,
            arguments: [
                Store.now(), o.outcome.rawValue, o.httpStatus, o.etag, o.lastModified, o.sha256, o.bytes,
                o.rowsRead, o.rowsLoaded, o.rowsRejected, o.error, o.coverage?.description, id,
            ])
        if o.outcome == .unchanged, let sha256 = o.sha256 {
            // The same content under new validators (a touched local file, a re-issued ETag):
            // remember them, so that the next run can skip reading it.
            try db.execute(
                sql: """
                    UPDATE source_state SET etag = ?, last_modified = ?
                    WHERE source = (SELECT source FROM ingestion_run WHERE id = ?) AND sha256 = ?
                    """, arguments: [o.etag, o.lastModified, id, sha256])
        }
        let insert = try db.makeStatement(sql: "INSERT INTO rejected_row (run_id, line, reason) VALUES (?, ?, ?)")
        for r in o.rejects { try insert.execute(arguments: [id, r.line, r.reason]) }
        let unmapped = try db.makeStatement(
            sql: "INSERT INTO unmapped_code (run_id, code, reason, rows, amount) VALUES (?, ?, ?, ?, ?)")
        for u in o.unmapped { try unmapped.execute(arguments: [id, u.code, u.reason, u.rows, u.amount]) }
    }

    /// What `source` holds now, or nil if it never loaded.
    public func loadedState(source: String) async throws -> LoadedState? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM source_state WHERE source = ?", arguments: [source]).map {
                LoadedState(
                    url: $0["url"], sha256: $0["sha256"], etag: $0["etag"], lastModified: $0["last_modified"],
                    runID: $0["run_id"])
            }
        }
    }

    /// The SHA-256 of every file currently loaded (kept when pruning the archive).
    public func loadedHashes() async throws -> Set<String> {
        try await pool.read { Set(try String.fetchAll($0, sql: "SELECT sha256 FROM source_state")) }
    }

    /// Latest runs, newest first, optionally of one source.
    public func runs(source: String? = nil, limit: Int = 50) async throws -> [RunRecord] {
        try await pool.read { db in
            let rows =
                source == nil
                ? try Row.fetchAll(db, sql: "SELECT * FROM ingestion_run ORDER BY id DESC LIMIT ?", arguments: [limit])
                : try Row.fetchAll(
                    db, sql: "SELECT * FROM ingestion_run WHERE source = ? ORDER BY id DESC LIMIT ?",
                    arguments: [source, limit])
            return rows.map(RunRecord.init)
        }
    }

    /// The latest run of each source name.
    public func lastRuns() async throws -> [String: RunRecord] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM ingestion_run WHERE id IN (SELECT MAX(id) FROM ingestion_run GROUP BY source)")
            return Dictionary(
                rows.map { (($0["source"] as String), RunRecord(row: $0)) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Rejected rows recorded for a run (line, reason), in line order.
    public func rejectedRows(run: Int64) async throws -> [(line: Int, reason: String)] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT line, reason FROM rejected_row WHERE run_id = ? ORDER BY line", arguments: [run]
            )
            .map { (line: $0["line"], reason: $0["reason"]) }
        }
    }

    /// Codes a run could not translate to the target geography.
    public func unmappedCodes(run: Int64) async throws -> [UnmappedCode] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM unmapped_code WHERE run_id = ? ORDER BY amount DESC", arguments: [run]
            )
            .map { UnmappedCode(code: $0["code"], reason: $0["reason"], rows: $0["rows"], amount: $0["amount"]) }
        }
    }
}
