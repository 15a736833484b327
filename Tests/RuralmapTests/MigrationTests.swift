import Foundation
import GRDB
import Logging
import Pipeline
import Testing

@testable import Store

/// A store written by the last released schema (v4) upgrades in place: its data, the field
/// team's notes and the last analysis read as before, and the next job runs on it.
struct MigrationTests {
    @Test func aStoreOfTheLastReleaseUpgrades() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let path = dir + "/store.sqlite"
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v4 schedule")
            // What a v4 binary left: a geography and a BPE file loaded, a crashed run, an analysis
            // with one listed candidate annotated and one that left the list.
            try await queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO ingestion_run (id, source, kind, url, vintage, started_at, finished_at, outcome,
                            sha256, rows_read, rows_loaded, rows_rejected)
                        VALUES (1, 'cog', 'cog-communes', 'file:///cog.csv', 2026, '2026-01-01T00:00:00Z',
                                '2026-01-01T00:00:01Z', 'loaded', 'aa', 2, 2, 0),
                               (2, 'bpe', 'bpe', 'file:///bpe.csv', 2024, '2026-01-01T00:00:02Z',
                                '2026-01-01T00:00:03Z', 'loaded', 'bb', 3, 3, 0),
                               (3, 'bpe', 'bpe', 'file:///bpe.csv', 2024, '2026-02-01T00:00:00Z', NULL,
                                'running', NULL, NULL, NULL, NULL);
                        INSERT INTO source_state (source, kind, url, vintage, run_id, sha256, loaded_at)
                        VALUES ('cog', 'cog-communes', 'file:///cog.csv', 2026, 1, 'aa', '2026-01-01T00:00:01Z'),
                               ('bpe', 'bpe', 'file:///bpe.csv', 2024, 2, 'bb', '2026-01-01T00:00:03Z');
                        INSERT INTO commune (source, vintage, type, code, name, dep, reg)
                        VALUES ('cog', 2026, 'COM', '99001', 'Vauclerc-le-Bourg', '99', '99'),
                               ('cog', 2026, 'COM', '99002', 'Saint-Amand-des-Brumes', '99', '99');
                        INSERT INTO equipment (source, vintage, code, commune, type, count)
                        VALUES ('bpe', 2024, '99001', '99001', 'A504', 2), ('bpe', 2024, '99002', '99002', 'B201', 1),
                               ('bpe', 2024, '98001', NULL, 'A504', 4),
                               -- a source no longer configured: no state, no generation to move
                               ('gone', 2019, '99002', '99002', 'A504', 7);
                        INSERT INTO site (source, vintage, code, commune, type, ext_id, usable, active, non_diffusible)
                        VALUES ('bpe', 2024, '99002', '99002', 'B201', '12345678900011.B201', 1, 1, 0);
                        INSERT INTO analysis_run (id, started_at, finished_at, communes, candidates)
                        VALUES (1, '2026-01-01T00:00:04Z', '2026-01-01T00:00:05Z', 2, 1);
                        INSERT INTO flag (commune, category, flag, vintage_from, vintage_to, sources)
                        VALUES ('99002', 'restaurant', 'lost', 2013, 2024, 'bpe');
                        INSERT INTO meeting_loss (commune) VALUES ('99002');
                        INSERT INTO candidate (commune, score, rank, breakdown, status, note, first_seen, last_seen,
                            listed)
                        VALUES ('99002', 4.5, 1, '[]', 'feasibility', 'bail signé', '2025-12-01', '2026-01-01', 1),
                               ('99001', 2.0, NULL, '[]', 'rejected', 'trop proche', '2025-12-01', '2025-12-01', 0);
                        """)
            }
        }

        let store = try Store(path: path)
        let (communes, facilities, untranslated) = try await store.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM commune") ?? -1,
                try Int.fetchOne(db, sql: "SELECT SUM(count) FROM equipment WHERE commune IS NOT NULL") ?? -1,
                try Int.fetchOne(db, sql: "SELECT SUM(count) FROM equipment WHERE commune IS NULL") ?? -1
            )
        }
        #expect(communes == 2)
        #expect(facilities == 3)
        #expect(untranslated == 4)
        // v14 moved the current BPE rows (run 2) into tables of their own, the templates emptied
        // (the rows of a source without state went with them).
        let (tables, templates, sites) = try await store.read { db in
            (
                try String.fetchAll(db, sql: "SELECT name FROM generation_table ORDER BY name"),
                try Int.fetchOne(
                    db, sql: "SELECT (SELECT COUNT(*) FROM equipment_row) + (SELECT COUNT(*) FROM site_row)"),
                try String.fetchAll(db, sql: "SELECT ext_id FROM site")
            )
        }
        #expect(tables == ["equipment_g2", "site_g2"])
        #expect(templates == 0)
        #expect(sites == ["12345678900011.B201"])
        // v16 indexed the site by its identity's hash (the low 32 bits of FNV-1a over its bytes
        // and 0x1F, computed by Python's own implementation), the key a field note finds it by;
        // v17 after its batch, 0 for the rows stored before.
        let (found, plan) = try await store.read { db in
            let sql = "SELECT COUNT(*) FROM site s WHERE \(try SiteKey.condition(db))"
            let arguments: StatementArguments = [2_099_414_300, "12345678900011.B201"]
            return (
                try Int.fetchOne(db, sql: sql, arguments: arguments),
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: arguments).map {
                    $0["detail"] as String
                }
                .joined(separator: "; ")
            )
        }
        #expect(found == 1)
        #expect(plan.contains("site_g2_ext (batch=? AND ext_hash=?)"), "\(plan)")
        #expect(SiteKey.of("12345678900011.B201") == 2_099_414_300)
        // v5 inferred the coverage of the BPE file from the départements of its rows.
        #expect(try await store.sourceState("bpe")?.coverage == "98,99")
        let kept = try await store.candidate(commune: "99002")
        #expect(kept?.note == "bail signé")
        #expect(kept?.status == .feasibility)
        #expect(kept?.score == 4.5)
        #expect(kept?.rank == 1)
        #expect(kept?.listed == true)
        let left = try await store.candidate(commune: "99001")
        #expect(left?.note == "trop proche")
        #expect(left?.listed == false)
        #expect(left?.score == 0)
        let flags = try await store.read { try String.fetchAll($0, sql: "SELECT commune || ' ' || flag FROM flag") }
        #expect(flags == ["99002 lost"])
        #expect(try await store.staleRows() == [:])

        // The crashed run stays `running` until a job holds the lock; the next job closes it.
        #expect(try await store.runs(source: "bpe").first?.outcome == .running)
        try "DEPCOM;TYPEQU;SIRET;LONGITUDE;LATITUDE\n99002;A504;31000000000002;2.08;46.06\n".write(
            toFile: dir + "/bpe24.csv", atomically: true, encoding: .utf8)
        let config = try TestSupport.config(
            in: dir,
            sources: TestSupport.source(
                "cog", "cog-communes", "\(TestSupport.packageRoot)/data/demo/v_commune_2026.csv", vintage: 2026)
                + TestSupport.source("bpe24", "bpe", "file://\(dir)/bpe24.csv", vintage: 2024))
        let reports = try await TestSupport.ingest(config, store: store, sources: ["cog"])
        #expect(reports["cog"]?.outcome == .loaded)
        // A table loaded now holds its source, vintage and run as constants, the upgraded one as
        // stored columns: the view shows both alike, and a field note finds a site in each.
        #expect(try await TestSupport.ingest(config, store: store, sources: ["bpe24"])["bpe24"]?.outcome == .loaded)
        let run = try await store.runs(source: "bpe24", limit: 1)[0].id
        let shown = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT source, vintage, run_id, ext_id FROM site ORDER BY source").map {
                "\($0[0] as String) \($0[1] as Int) \($0[2] as Int64) \($0[3] as String)"
            }
        }
        #expect(shown == ["bpe 2024 2 12345678900011.B201", "bpe24 2024 \(run) 31000000000002.A504"])
        for id in ["12345678900011.B201", "31000000000002.A504"] {
            #expect(try await store.premises(id: .source(.bpe, id))?.commune.rawValue == "99002", "\(id)")
        }
        let bpeRuns = try await store.runs(source: "bpe")
        #expect(bpeRuns.first?.outcome == .failed)
        #expect(bpeRuns.first?.error?.contains("interrupted") == true)
        #expect(
            try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM commune WHERE type = 'COM'") } == 8)
        #expect(try await store.candidate(commune: "99002")?.note == "bail signé")
        #expect(try await store.staleRows() == [:])
    }

    /// A new store is made of 8 KiB pages (a load writes its rows faster); a store made before
    /// keeps its 4 KiB pages and opens as before: SQLite fixes a file's page size with its first
    /// page.
    @Test func aNewStoreHasPagesOf8KiB() throws {
        let dir = try TestSupport.temporaryDirectory()
        func pageSize(_ store: Store) throws -> Int? {
            try store.writer.read { try Int.fetchOne($0, sql: "PRAGMA page_size") }
        }
        #expect(try pageSize(Store(path: dir + "/new.sqlite")) == 8192)
        let old = dir + "/old.sqlite"
        try DatabaseQueue(path: old).write { try $0.execute(sql: "CREATE TABLE made_before (x)") }
        let reopened = try Store(path: old)
        #expect(try pageSize(reopened) == 4096)
        #expect(try reopened.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try reopened.isMigrated())
    }

    /// A map's absent flags are read from their partial index: SQLite takes it only for a query
    /// stating the index's condition, so the export's query and the migration must agree.
    @Test func absentFlagsAreReadFromTheirIndex() async throws {
        let queue = try DatabaseQueue(path: try TestSupport.temporaryDirectory() + "/store.sqlite")
        try Schema.migrator.migrate(queue)
        func plan(details: Bool) async throws -> String {
            try await queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: "EXPLAIN QUERY PLAN " + Store.selection(candidatesOnly: false)
                        + Store.flagsQuery(details: details),
                    arguments: [2026, 0, "[]"]
                ).map { $0["detail"] as String }.joined(separator: "\n")
            }
        }
        let map = try await plan(details: false)
        #expect(map.contains("flag_row_absent"), "\(map)")
        // With details every flag is read, through the key.
        let details = try await plan(details: true)
        #expect(!details.contains("flag_row_absent"), "\(details)")
    }
}
