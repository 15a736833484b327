import Fetching
import Foundation
import GRDB
import Pipeline
import Store
import Testing

/// Real libcurl against a real HTTP server on 127.0.0.1, and the all-or-nothing load of a source.
@Suite(.serialized) struct FetchAndAtomicityTests {
    /// A directory served over HTTP holding the first `rows` lines of the real COG 2026 file.
    private func servedCOG(rows: Int = 3000) throws -> (dir: String, server: LocalHTTPServer, lines: [Substring]) {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let lines = Array(try TestSupport.gunzipLines(ds + "/cog2026_communes.csv.gz").prefix(rows + 1))
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: dir + "/communes.csv", atomically: true, encoding: .utf8)
        return (dir, try LocalHTTPServer(root: dir), lines)
    }

    /// A config reading `dir`'s `communes.csv` through a `file://` URL.
    private func fileConfig(_ dir: String) throws -> Config {
        try TestSupport.config(
            in: dir, sources: TestSupport.source("cog", "cog-communes", "file://\(dir)/communes.csv", vintage: 2026))
    }

    private func count(_ store: Store) async throws -> Int {
        try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM commune") ?? 0 }
    }

    @Test func unchangedFileIsNotReparsed() async throws {
        let (dir, server, _) = try servedCOG()
        let config = try TestSupport.config(
            in: dir, sources: TestSupport.source("cog", "cog-communes", server.url("communes.csv"), vintage: 2026))
        let store = try Store(path: config.storePath)
        let first = try await TestSupport.ingest(config, store: store)
        #expect(first["cog"]?.outcome == .loaded)
        #expect(first["cog"]?.rowsRead == 3000)
        let second = try await TestSupport.ingest(config, store: store)
        #expect(second["cog"]?.outcome == .unchanged)
        #expect(second["cog"]?.rowsRead == 0)  // not re-parsed
        let runs = try await store.runs(source: "cog", limit: 1)
        #expect(runs[0].httpStatus == 304)  // the server's ETag came back as If-None-Match
        // --force re-parses, downloaded again: a server's validators are only its word.
        let forced = try await TestSupport.ingest(config, store: store, force: true)
        #expect(forced["cog"]?.outcome == .loaded)
        #expect(forced["cog"]?.rowsRead == 3000)
        #expect(try await store.runs(source: "cog", limit: 1)[0].httpStatus == 200)
        #expect(try await count(store) == 3000)
    }

    @Test func fileURLUnchangedBySHA256() async throws {
        let (dir, _, _) = try servedCOG(rows: 100)
        let config = try fileConfig(dir)
        let store = try Store(path: config.storePath)
        _ = try await TestSupport.ingest(config, store: store)
        let again = try await TestSupport.ingest(config, store: store)
        #expect(again["cog"]?.outcome == .unchanged)
        let runs = try await store.runs(source: "cog", limit: 2)
        #expect(runs[0].sha256 == runs[1].sha256)
        #expect(runs[0].sha256?.count == 64)
    }

    @Test func unchangedLocalFileIsNotRead() async throws {
        let (dir, _, lines) = try servedCOG(rows: 100)
        let path = dir + "/communes.csv"
        let config = try TestSupport.config(
            in: dir, sources: TestSupport.source("cog", "cog-communes", "file://\(path)", vintage: 2026))
        let store = try Store(path: config.storePath)
        // Files changed within the last 2 s are always read (timestamps move by clock ticks).
        try await Task.sleep(for: .milliseconds(2100))
        #expect(try await TestSupport.ingest(config, store: store)["cog"]?.outcome == .loaded)
        func lastRun() async throws -> RunRecord { try await store.runs(source: "cog", limit: 1)[0] }
        // Same device, inode, size, mtime and ctime: not even opened.
        #expect(try await TestSupport.ingest(config, store: store)["cog"]?.outcome == .unchanged)
        #expect(try await lastRun().bytes == nil)
        // Forced, it is parsed again from its archived copy, still not read; with that copy cut
        // short (damaged on disk), read again, and the copy replaced; with it gone, read again.
        let forced = try await TestSupport.ingest(config, store: store, force: true)["cog"]
        #expect(forced?.outcome == .loaded)
        #expect(forced?.rowsRead == 100)
        #expect(try await lastRun().bytes == nil)
        #expect(try await count(store) == 100)
        let archived = DownloadArchive(directory: config.archiveDirectory).path(
            for: try #require(try await lastRun().sha256))
        let text = lines.joined(separator: "\n") + "\n"
        try Data(text.utf8.prefix(text.utf8.count / 2)).write(to: URL(fileURLWithPath: archived))
        #expect(try await TestSupport.ingest(config, store: store, force: true)["cog"]?.rowsRead == 100)
        #expect(try await lastRun().bytes == Int64(text.utf8.count))
        #expect(try await count(store) == 100)
        #expect(try Data(contentsOf: URL(fileURLWithPath: archived)) == Data(text.utf8))
        try FileManager.default.removeItem(atPath: archived)
        #expect(try await TestSupport.ingest(config, store: store, force: true)["cog"]?.rowsRead == 100)
        #expect(try await lastRun().bytes == Int64(text.utf8.count))
        #expect(FileManager.default.fileExists(atPath: archived))
        // Rewritten with the same bytes: read, hashed, unchanged; then skipped again.
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(2100))
        #expect(try await TestSupport.ingest(config, store: store)["cog"]?.outcome == .unchanged)
        #expect(try await lastRun().bytes == Int64(text.utf8.count))
        #expect(try await TestSupport.ingest(config, store: store)["cog"]?.outcome == .unchanged)
        #expect(try await lastRun().bytes == nil)
        // One byte changed in place, same size (mtime could even be set back with touch; ctime cannot).
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seek(toOffset: UInt64(text.utf8.count - 3))
        try handle.write(contentsOf: Data("Z".utf8))
        try handle.close()
        try await Task.sleep(for: .milliseconds(2100))
        #expect(try await TestSupport.ingest(config, store: store)["cog"]?.outcome == .loaded)
    }

    /// A new geography re-reads the sources placed on it, a local file unchanged from its
    /// archived copy (not read again): their codes are translated anew.
    @Test func aNewGeographyRereadsFromTheArchive() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let ds = try TestSupport.datasets()
        let cog = try TestSupport.gunzipLines(ds + "/cog2026_communes.csv.gz")
        func writeCOG(_ lines: [Substring]) throws {
            try (lines.joined(separator: "\n") + "\n").write(
                toFile: dir + "/cog.csv", atomically: true, encoding: .utf8)
        }
        try writeCOG(cog)
        let bpe = try TestSupport.gunzipLines(ds + "/bpe2013_communes_typequ.csv.gz")[...2_000]
        try (bpe.joined(separator: "\n") + "\n").write(toFile: dir + "/bpe.csv", atomically: true, encoding: .utf8)
        let config = try TestSupport.config(
            in: dir,
            sources: TestSupport.source("cog", "cog-communes", "file://\(dir)/cog.csv", vintage: 2026)
                + TestSupport.source("bpe", "bpe", "file://\(dir)/bpe.csv", vintage: 2013, more: "geography = 2026"))
        let store = try Store(path: config.storePath)
        func typesInAbergement() async throws -> Int {
            try await store.read {
                try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM equipment WHERE commune = '01001'") ?? -1
            }
        }
        // Files changed within the last 2 s are always read (timestamps move by clock ticks).
        try await Task.sleep(for: .milliseconds(2100))
        #expect(try await TestSupport.ingest(config, store: store).values.allSatisfy { $0.outcome == .loaded })
        #expect(try await typesInAbergement() == bpe.filter { $0.hasPrefix("01001;") }.count)
        // The COG without L'Abergement-Clémenciat (01001).
        try writeCOG(cog.filter { !$0.hasPrefix("COM,01001,") })
        try await Task.sleep(for: .milliseconds(2100))
        let reports = try await TestSupport.ingest(config, store: store)
        #expect(reports["cog"]?.outcome == .loaded)
        #expect(reports["bpe"]?.outcome == .loaded)
        #expect(try await store.runs(source: "bpe", limit: 1)[0].bytes == nil)
        #expect(try await typesInAbergement() == 0)
        #expect(reports["bpe"]?.unmapped.contains { $0.code == "01001" } == true)
    }

    @Test func serverErrorIsRetriedThenLoads() async throws {
        let (dir, server, _) = try servedCOG(rows: 500)
        let config = try TestSupport.config(
            in: dir,
            sources: TestSupport.source("cog", "cog-communes", server.url("flaky/1/communes.csv"), vintage: 2026))
        let store = try Store(path: config.storePath)
        let reports = try await TestSupport.ingest(config, store: store)
        #expect(reports["cog"]?.outcome == .loaded)
        #expect(try await count(store) == 500)
    }

    @Test func truncatedBodyFailsAndKeepsPreviousData() async throws {
        let (dir, server, _) = try servedCOG(rows: 2000)
        let good = try TestSupport.config(
            in: dir, sources: TestSupport.source("cog", "cog-communes", server.url("communes.csv"), vintage: 2026))
        let store = try Store(path: good.storePath)
        _ = try await TestSupport.ingest(good, store: store)
        #expect(try await count(store) == 2000)
        let bad = try TestSupport.config(
            in: dir,
            sources: TestSupport.source("cog", "cog-communes", server.url("truncate/communes.csv"), vintage: 2026))
        let reports = try await TestSupport.ingest(bad, store: store)
        #expect(reports["cog"]?.outcome == .failed)
        #expect(reports["cog"]?.error?.isEmpty == false)
        #expect(try await count(store) == 2000)
        let last = try await store.runs(source: "cog", limit: 1)[0]
        #expect(last.outcome == .failed)
    }

    /// Batches are committed on a thread of their own while the parse goes on: one SQLite
    /// refuses fails the load all the same, and the previous data stays, without a row of the
    /// failed load left behind.
    @Test func aBatchRefusedBySQLiteFailsTheLoadAndKeepsPreviousData() async throws {
        // 30,000 communes: three batches, the parse going on after the first were handed over.
        let (dir, _, lines) = try servedCOG(rows: 30_000)
        let config = try fileConfig(dir)
        let store = try Store(path: config.storePath)
        _ = try await TestSupport.ingest(config, store: store)
        #expect(try await count(store) == 30_000)
        // The next edition of the file, of which SQLite refuses the 25,000th commune: the batches
        // before it are committed, and must go.
        let refused = String(lines[25_000].split(separator: ",", omittingEmptySubsequences: false)[1])
        try (lines.dropLast().joined(separator: "\n") + "\n").write(
            toFile: dir + "/communes.csv", atomically: true, encoding: .utf8)
        try await DatabaseQueue(path: config.storePath).write { db in
            try db.execute(
                sql: """
                    CREATE TABLE refused (code TEXT);
                    INSERT INTO refused VALUES (?);
                    CREATE TRIGGER refuse BEFORE INSERT ON commune_row WHEN NEW.code IN (SELECT code FROM refused)
                    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                    """, arguments: [refused])
        }
        let reports = try await TestSupport.ingest(config, store: store)
        #expect(reports["cog"]?.outcome == .failed)
        #expect(reports["cog"]?.error?.contains("refused by the test") == true)
        #expect(try await count(store) == 30_000)
        let left = try await store.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM commune_row r
                    WHERE r.run_id != (SELECT run_id FROM source_state WHERE source = 'cog')
                    """)
        }
        #expect(left == 0)
    }

    /// A facility file's counts (written as the file moves on to another commune, a row each) and
    /// points (written as they come) go in batches of one kind each, interleaved: with more than a
    /// batch (10,000 rows) of each, every count and point arrives.
    @Test func countsAndPointsInterleavedAllArrive() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let ds = try TestSupport.datasets()
        // The first 160,000 rows of the real BPE 2013 (DEPCOM;AN;TYPEQU;NB_EQUIP, one per commune
        // and type, by commune: 10,510 communes), each written out as one facility without position.
        let lines = try TestSupport.gunzipLines(ds + "/bpe2013_communes_typequ.csv.gz")[1...160_000]
        var file = "DEPCOM;TYPEQU;LONGITUDE;LATITUDE\n"
        var byType: [String: Int] = [:]
        for line in lines {
            let f = line.split(separator: ";")
            file += "\(f[0]);\(f[2]);;\n"
            byType[String(f[2]), default: 0] += 1
        }
        let communes = Set(lines.map { $0.prefix(5) }).count
        try #require(communes > 10_000)
        let (config, store) = try TestSupport.bpeStore(file: file, in: dir)
        #expect(try await TestSupport.ingest(config, store: store)["bpe"]?.outcome == .loaded)
        let (counted, countRows, packed, points, mapped) = try await store.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT SUM(count) FROM equipment") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM equipment") ?? 0,
                // The rows stored: one per commune (its counts packed).
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM "
                        + (try String.fetchOne(db, sql: "SELECT name FROM generation_table WHERE kind = 'equipment'")
                            ?? "equipment_row")) ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM site") ?? 0,
                // The types data/categories.csv keeps as points in BPE 2013.
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT code FROM category_code WHERE source_kind = 'bpe'
                            AND COALESCE(vintage_from, 0) <= 2013 AND 2013 <= COALESCE(vintage_to, 9999)
                        """)
            )
        }
        #expect(counted == 160_000)
        #expect(countRows == 160_000)
        #expect(packed == communes)
        #expect(points == mapped.reduce(0) { $0 + byType[$1, default: 0] })
        #expect(points > 10_000)
    }

    /// A BPE load writes its equipment rows into a table of its run: a reload makes the new run's
    /// table current and drops the previous one; a reload that fails after some batches drops its
    /// own table and leaves the current one as it was; a previous table the reload could not drop
    /// (as a crash after the swap leaves it) is reported stale and dropped by the next job.
    @Test func aReloadReplacesItsRunsTable() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let ds = try TestSupport.datasets()
        // The first 160,000 rows of the real BPE 2013 (one per commune and type): 10,510 communes,
        // stored as a row each, two batches of at most 10,000.
        let lines = try TestSupport.gunzipLines(ds + "/bpe2013_communes_typequ.csv.gz")
        let (config, store) = try TestSupport.bpeStore(
            file: lines[...160_000].joined(separator: "\n") + "\n", in: dir)
        try #require(Set(lines[1...160_000].map { $0.prefix(5) }).count > 10_000)
        let facilities = lines[1...160_000].reduce(0) { $0 + Int($1.split(separator: ";")[3])! }
        // One equipment count per commune and type (DEPCOM;AN;TYPEQU;NB_EQUIP), as the view shows them.
        let rows = Set(
            lines[1...160_000].map { line in
                let f = line.split(separator: ";")
                return "\(f[0]) \(f[2])"
            }
        ).count
        func stored() async throws -> (tables: Set<String>, facilities: Int, stale: [String: Int]) {
            let (tables, facilities) = try await store.read { db in
                (
                    Set(
                        try String.fetchAll(
                            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB '*_g[0-9]*'")),
                    try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM equipment") ?? -1
                )
            }
            return (tables, facilities, try await store.staleRows())
        }
        func lastRun() async throws -> Int64 { try await store.runs(source: "bpe", limit: 1)[0].id }

        #expect(try await TestSupport.ingest(config, store: store)["bpe"]?.outcome == .loaded)
        let first = try await lastRun()
        #expect(try await stored() == (["equipment_g\(first)"], facilities, [:]))
        #expect(
            try await TestSupport.ingest(config, store: store, sources: ["bpe"], force: true)["bpe"]?.outcome == .loaded
        )
        let second = try await lastRun()
        #expect(second != first)
        #expect(try await stored() == (["equipment_g\(second)"], facilities, [:]))

        // SQLite refuses the second batch's progress: the first batch is in the new table by then.
        try await DatabaseQueue(path: config.storePath).write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse BEFORE UPDATE OF rows_loaded ON ingestion_run WHEN OLD.rows_loaded > 0
                    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                    """)
        }
        let failed = try await TestSupport.ingest(config, store: store, sources: ["bpe"], force: true)["bpe"]
        #expect(failed?.outcome == .failed)
        #expect(failed?.error?.contains("refused by the test") == true)
        #expect(try await stored() == (["equipment_g\(second)"], facilities, [:]))

        // The previous table kept past the swap: SQLite refuses to unlist it, so its drop fails.
        try await DatabaseQueue(path: config.storePath).write { db in
            try db.execute(
                sql: """
                    DROP TRIGGER refuse;
                    CREATE TRIGGER keep BEFORE DELETE ON generation_table BEGIN SELECT RAISE(ABORT, 'kept'); END
                    """)
        }
        #expect(
            try await TestSupport.ingest(config, store: store, sources: ["bpe"], force: true)["bpe"]?.outcome == .loaded
        )
        let third = try await lastRun()
        #expect(
            try await stored() == (
                ["equipment_g\(second)", "equipment_g\(third)"], facilities, ["equipment_g\(second)": rows]
            ))
        try await DatabaseQueue(path: config.storePath).write { try $0.execute(sql: "DROP TRIGGER keep") }
        #expect(try await TestSupport.ingest(config, store: store, sources: ["bpe"])["bpe"]?.outcome == .unchanged)
        #expect(try await stored() == (["equipment_g\(third)"], facilities, [:]))
    }

    @Test func malformedRowIsRejectedWithItsLine() async throws {
        let (dir, _, lines) = try servedCOG(rows: 2000)
        var edited = lines.map(String.init)
        edited[100] = "COM,12X45,84,01,,,,BROKEN,Broken,Broken,,"  // line 101 of the file
        try (edited.joined(separator: "\n") + "\n").write(
            toFile: dir + "/communes.csv", atomically: true, encoding: .utf8)
        let config = try fileConfig(dir)
        let store = try Store(path: config.storePath)
        let reports = try await TestSupport.ingest(config, store: store)
        #expect(reports["cog"]?.outcome == .loaded)
        #expect(reports["cog"]?.rowsRejected == 1)
        #expect(try await count(store) == 1999)
        let rejects = try await store.rejectedRows(run: try await store.runs(source: "cog", limit: 1)[0].id)
        #expect(rejects.map(\.line) == [101])
        #expect(rejects.first?.reason.contains("12X45") == true)
    }

    @Test func tooManyRejectsRefuseTheLoad() async throws {
        let (dir, _, lines) = try servedCOG(rows: 200)
        let config = try fileConfig(dir)
        let store = try Store(path: config.storePath)
        _ = try await TestSupport.ingest(config, store: store)
        let broken = [String(lines[0])] + lines.dropFirst().map { _ in "COM,BAD,,,,,,,,,," }
        try (broken.joined(separator: "\n") + "\n").write(
            toFile: dir + "/communes.csv", atomically: true, encoding: .utf8)
        let reports = try await TestSupport.ingest(config, store: store)
        #expect(reports["cog"]?.outcome == .failed)
        #expect(reports["cog"]?.error?.contains("max_reject_ratio") == true)
        #expect(try await count(store) == 200)
    }

    @Test func latin1FileReadsAccents() async throws {
        let (dir, server, lines) = try servedCOG(rows: 300)
        let text = lines.joined(separator: "\n") + "\n"
        let latin1 = try #require(text.data(using: .isoLatin1))
        try latin1.write(to: URL(fileURLWithPath: dir + "/latin1.csv"))
        let config = try TestSupport.config(
            in: dir, sources: TestSupport.source("cog", "cog-communes", server.url("latin1.csv"), vintage: 2026))
        let store = try Store(path: config.storePath)
        let reports = try await TestSupport.ingest(config, store: store)
        #expect(reports["cog"]?.outcome == .loaded)
        // 01001 is L'Abergement-Clémenciat in COG 2026.
        #expect(try await store.commune("01001", targetVintage: 2026)?.name == "L'Abergement-Clémenciat")
    }

    @Test func gzipContentEncodingIsDecoded() async throws {
        let (dir, server, _) = try servedCOG(rows: 100)
        let config = try TestSupport.config(
            in: dir, sources: TestSupport.source("cog", "cog-communes", server.url("gzip/communes.csv"), vintage: 2026))
        let store = try Store(path: config.storePath)
        #expect(try await TestSupport.ingest(config, store: store)["cog"]?.outcome == .loaded)
        #expect(try await count(store) == 100)
    }

    @Test func refusedAndFailingTransfersEndCleanly() async throws {
        let (dir, server, _) = try servedCOG(rows: 10)
        var options = FetchOptions()
        options.retries = 2
        options.retryBaseDelay = 0.01
        options.totalTimeout = 5
        options.connectTimeout = 3
        options.lowSpeedTime = 2
        options.lowSpeedLimit = 10_000
        options.maxRetryAfter = 2
        options.maxBytes = 1 << 20
        options.maxRedirects = 3
        let fetcher = Fetcher(
            cacheDirectory: dir + "/cache", archive: DownloadArchive(directory: dir + "/archive"), options: options,
            logger: TestSupport.logger)
        func failure(_ url: String) async -> FetchError? {
            do {
                _ = try await fetcher.fetch(url, validators: nil)
                return nil
            } catch { return error as? FetchError }
        }
        #expect(await failure(server.url("status/404"))?.code == .http)
        #expect(await failure(server.url("status/404"))?.attempts == 1)  // 4xx: no retry
        #expect(await failure(server.url("status/503"))?.attempts == 3)  // retried, then gives up
        #expect(await failure(server.url("redirect-loop"))?.code == .tooManyRedirects)
        #expect(await failure(server.url("redirect-file"))?.code == .refusedProtocol)
        #expect(await failure("ftp://127.0.0.1/x")?.code == .refusedProtocol)
        #expect(await failure(server.url("big"))?.code == .tooLarge)
        #expect(await failure("http://127.0.0.1:1/closed")?.code == .transport)
        #expect(await failure(server.url("badgzip")) != nil)
        // Bounded in time: DNS failure, a server that never answers, a body that stalls.
        var started = Date()
        #expect(await failure("http://ruralmap-test.invalid/x")?.code == .transport)
        #expect(Date().timeIntervalSince(started) < 30)
        started = Date()
        #expect(await failure(server.url("silent"))?.code == .timeout)
        #expect(await failure(server.url("stall/communes.csv"))?.code == .timeout)
        #expect(Date().timeIntervalSince(started) < 60)
        // 429 with Retry-After: waits, retries, succeeds.
        let retried = try await fetcher.fetch(server.url("flaky429/1/communes.csv"), validators: nil)
        guard case .downloaded(let file) = retried else {
            Issue.record("expected a download")
            return
        }
        #expect(file.attempts == 2)
        // Nothing partial is left in the cache.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir + "/cache").filter {
            $0.hasPrefix(".partial")
        }
        #expect(leftovers.isEmpty)
    }
}
