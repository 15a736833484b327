import CSQLite
import Foundation
import GRDB

/// The SQLite store: one file, WAL, migrated when opened. Owns every table; callers go through
/// its typed methods, never raw SQL.
///
/// As in GRDB's own demo app, the store wraps any ``DatabaseWriter``: a `DatabasePool` on a file
/// in production, whatever a test needs.
///
/// ```swift
/// let store = try Store(path: "var/ruralmap.sqlite")
/// let runs = try await store.lastRuns()
/// ```
public struct Store: Sendable {
    let writer: any DatabaseWriter
    /// The database file ("" for an in-memory store).
    public let path: String

    /// How a command uses the store.
    public enum Access: Sendable {
        /// Writes (ingestion, analysis, notes): opens or creates the file and applies pending migrations.
        case readWrite
        /// Reads only, never waiting for a writer: a connection that cannot write. A store not yet
        /// migrated to this version is migrated first (once, after an upgrade).
        case readOnly
    }

    /// Opens the database at `path`.
    /// - Throws: `StoreError` when the file cannot be opened or migrated, or (read-only) does not exist.
    public init(path: String, access: Access = .readWrite) throws {
        do {
            switch access {
            case .readWrite:
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try self.init(DatabasePool(path: path, configuration: Self.configuration), path: path)
            case .readOnly:
                guard FileManager.default.fileExists(atPath: path) else {
                    throw StoreError(path: path, message: "no store here yet: run `ruralmapd run` first")
                }
                var configuration = Self.configuration
                configuration.readonly = true
                let pool = try DatabasePool(path: path, configuration: configuration)
                if try pool.read({ try !Schema.migrator.hasCompletedMigrations($0) }) {
                    _ = try Store(path: path, access: .readWrite)
                }
                self.init(reading: pool, path: path)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(path: path, message: "cannot open the store: \(error)")
        }
    }

    /// A store read through `pool`, already migrated.
    private init(reading pool: DatabasePool, path: String) {
        writer = pool
        self.path = path
    }

    /// Wraps `writer` and applies pending migrations.
    /// - Throws: `StoreError` when a migration fails.
    public init(_ writer: any DatabaseWriter, path: String = "") throws {
        self.writer = writer
        self.path = path
        do {
            try Schema.migrator.migrate(writer)
        } catch {
            throw StoreError(path: path, message: "cannot open the store: \(error)")
        }
    }

    static var configuration: Configuration {
        _ = processSettings
        var config = Configuration()
        config.busyMode = .callback(Self.waitForTheWriter)
        // Debian builds SQLite with secure_delete on: every page a deletion frees is zeroed and
        // written again, a whole dropped generation table included. FAST zeroes deleted content
        // inside the pages kept, not the freed pages, which keep their old content until reused:
        // rows of public open data (a non-diffusible Sirene row carries no personal data), or an
        // overwritten field note's previous text. The national BPE reload wrote 8 % less with it.
        //
        // A new store gets pages of 8 KiB rather than SQLite's 4 KiB: a national BPE reload (its
        // 538,804 sites and their two indexes) took 2.9 s instead of 3.2. A page size is set
        // before the file's first page is written (GRDB turns WAL on after this), and ignored by
        // a store that already has pages.
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA secure_delete = FAST; PRAGMA page_size = 8192")
        }
        return config
    }

    /// SQLite's settings for the whole process, applied once, before the first connection of a
    /// ``Store`` opens (``configuration`` asks for them). Where SQLite is already initialised (a
    /// test that opened a database of its own first), they are refused and nothing changes.
    ///
    /// Its memory statistics are off: no part of ruralmap reads them, and they took a
    /// process-wide mutex at each of its allocations (a national BPE reload took 0.03 s less
    /// without them, 2 %, four alternated pairs).
    private static let processSettings: Void = { _ = ruralmap_sqlite_disable_memory_statistics() }()

    /// Waits for another connection's write transaction, trying every ``writerPollMicroseconds``,
    /// for at least 30 s (each sleep oversleeps a little). SQLite's own busy timeout backs off to
    /// 100 ms sleeps: against a load that commits batch after batch with a short pause between
    /// them (``pauseForOtherWriters()``), a field note kept waking up inside a batch (p99 0.7 s,
    /// up to 1.6 s, during the national BPE load).
    static let waitForTheWriter: Database.BusyCallback = { tries in
        usleep(writerPollMicroseconds)
        return tries < 30_000_000 / Int(writerPollMicroseconds)
    }

    /// Microseconds between two tries of a writer waiting for the lock (``waitForTheWriter``).
    static let writerPollMicroseconds: UInt32 = 250

    /// Whether migrations are all applied (for readiness probes).
    public func isMigrated() throws -> Bool {
        try writer.read { try Schema.migrator.hasCompletedMigrations($0) }
    }

    /// `PRAGMA integrity_check` result ("ok" when sound).
    public func integrityCheck() throws -> String {
        try writer.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") ?? "" }
    }

    /// Runs read-only work on a reader connection: the tests' independent recounts. Statements
    /// must use bound arguments.
    package func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(body)
    }

    /// Timestamps are ISO 8601 UTC with milliseconds (run durations need sub-second precision);
    /// they sort as text.
    public static func now() -> String {
        timestampFormatter().string(from: Date())
    }

    /// The format of the store's timestamps.
    public static func timestampFormatter() -> ISO8601DateFormatter {
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
