import Catalog
import GRDB
import Territory

/// Where an ingestion run stands.
public enum RunState: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// Started, not finished (a run of a killed process is closed as `failed`, interrupted, by the
    /// next job to take the store's lock).
    case running
    /// Its file was parsed and its data is in force.
    case loaded
    /// The file had not changed: nothing to load.
    case unchanged
    /// It failed; the previous data stays in force.
    case failed
    /// The daemon stopped while it ran: its rows deleted, the previous data stays in force.
    case cancelled
}

/// One ingestion run of a source, as recorded (table `ingestion_run`).
public struct RunRecord: Sendable, Codable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "ingestion_run"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    public var id: Int64
    public var source: String
    public var kind: SourceKind
    public var url: String
    public var vintage: Int?
    public var startedAt: String
    public var finishedAt: String?
    public var outcome: RunState
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

    public enum Columns {
        public static let id = Column("id")
        public static let source = Column("source")
    }
}

/// How a run ended, to be recorded.
public struct RunOutcome: Sendable {
    /// `loaded`, `unchanged`, `failed` or `cancelled`: a run that ends is no longer `running`.
    public var outcome: RunState
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
    public var rejects: [RejectedRow] = []
    public var unmapped: [UnmappedCode] = []
    /// The territory the loaded file describes; nil for the geography itself.
    public var coverage: Coverage?

    public init(outcome: RunState) { self.outcome = outcome }
}

/// A row a run could not read, with its line (table `rejected_row`).
public struct RejectedRow: Sendable, Equatable, Codable, FetchableRecord {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// A source code that could not be translated to the target geography, with how much it carried
/// (table `unmapped_code`).
public struct UnmappedCode: Sendable, Equatable, Codable, FetchableRecord {
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

/// The data a source holds now (table `source_state`): which file, fetched with which
/// validators, describing which territory.
public struct SourceState: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "source_state"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var source: String
    public var kind: SourceKind
    public var url: String
    public var vintage: Int?
    /// The COG year of the file's codes.
    public var geography: Int?
    /// `national`, or the départements it covers, comma-separated; nil for the geography itself.
    public var coverage: String?
    public var runId: Int64
    public var sha256: String
    public var etag: String?
    public var lastModified: String?
    public var loadedAt: String

    public init(
        source: String, kind: SourceKind, url: String, vintage: Int?, geography: Int?, coverage: String?, runId: Int64,
        sha256: String, etag: String?, lastModified: String?, loadedAt: String
    ) {
        self.source = source
        self.kind = kind
        self.url = url
        self.vintage = vintage
        self.geography = geography
        self.coverage = coverage
        self.runId = runId
        self.sha256 = sha256
        self.etag = etag
        self.lastModified = lastModified
        self.loadedAt = loadedAt
    }
}

extension Store {
    /// Records the start of a run and returns its id.
    public func beginRun(source: String, kind: SourceKind, url: String, vintage: Int?) async throws -> Int64 {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO ingestion_run (source, kind, url, vintage, started_at, outcome)
                    VALUES (?, ?, ?, ?, ?, 'running')
                    """, arguments: [source, kind, url, vintage, Store.now()])
            return db.lastInsertedRowID
        }
    }

    /// Records how a run ended without touching the source's data (unchanged or failed runs).
    public func finishRun(_ id: Int64, _ outcome: RunOutcome) async throws {
        try await writer.write { db in try Self.finish(db, id, outcome) }
    }

    static func finish(_ db: Database, _ id: Int64, _ o: RunOutcome) throws {
        try db.execute(
            sql: """
                UPDATE ingestion_run SET finished_at = ?, outcome = ?, http_status = ?, etag = ?, last_modified = ?,
                    sha256 = ?, bytes = ?, rows_read = ?, rows_loaded = ?, rows_rejected = ?, error = ?, coverage = ?
                WHERE id = ?
                """,
            arguments: [
                Store.now(), o.outcome, o.httpStatus, o.etag, o.lastModified, o.sha256, o.bytes, o.rowsRead,
                o.rowsLoaded, o.rowsRejected, o.error, o.coverage?.description, id,
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
        let rejected = try db.cachedStatement(sql: "INSERT INTO rejected_row (run_id, line, reason) VALUES (?, ?, ?)")
        for r in o.rejects { try rejected.execute(arguments: [id, r.line, r.reason]) }
        let unmapped = try db.cachedStatement(
            sql: "INSERT INTO unmapped_code (run_id, code, reason, rows, amount) VALUES (?, ?, ?, ?, ?)")
        for u in o.unmapped { try unmapped.execute(arguments: [id, u.code, u.reason, u.rows, u.amount]) }
    }

    /// What `source` holds now, or nil if it never loaded.
    public func sourceState(_ source: String) async throws -> SourceState? {
        try await writer.read { try SourceState.fetchOne($0, key: source) }
    }

    /// The SHA-256 of every file currently loaded (kept when pruning the archive).
    public func loadedHashes() async throws -> Set<String> {
        try await writer.read { try Set(SourceState.select(Column("sha256"), as: String.self).fetchAll($0)) }
    }

    /// The size of the file with this SHA-256 when it was last downloaded or read, nil when no
    /// run recorded one (a run that parsed the archived copy reads no bytes).
    public func downloadedSize(sha256: String) async throws -> Int64? {
        try await writer.read {
            try Int64.fetchOne(
                $0, sql: "SELECT bytes FROM ingestion_run WHERE sha256 = ? AND bytes > 0 ORDER BY id DESC LIMIT 1",
                arguments: [sha256])
        }
    }

    /// Latest runs, newest first, optionally of one source.
    public func runs(source: String? = nil, limit: Int = 50) async throws -> [RunRecord] {
        try await writer.read { db in
            var request = RunRecord.order(RunRecord.Columns.id.desc).limit(limit)
            if let source { request = request.filter(RunRecord.Columns.source == source) }
            return try request.fetchAll(db)
        }
    }

    /// The latest run of each source name.
    public func lastRuns() async throws -> [String: RunRecord] {
        try await writer.read { db in
            let latest = try RunRecord.fetchAll(
                db, sql: "SELECT * FROM ingestion_run WHERE id IN (SELECT MAX(id) FROM ingestion_run GROUP BY source)")
            return Dictionary(latest.map { ($0.source, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Rejected rows recorded for a run, in line order.
    public func rejectedRows(run: Int64) async throws -> [RejectedRow] {
        try await writer.read { db in
            try RejectedRow.fetchAll(
                db, sql: "SELECT line, reason FROM rejected_row WHERE run_id = ? ORDER BY line", arguments: [run])
        }
    }

    /// Codes a run could not translate to the target geography, largest amount first.
    public func unmappedCodes(run: Int64) async throws -> [UnmappedCode] {
        try await writer.read { db in
            try UnmappedCode.fetchAll(
                db, sql: "SELECT * FROM unmapped_code WHERE run_id = ? ORDER BY amount DESC", arguments: [run])
        }
    }
}
