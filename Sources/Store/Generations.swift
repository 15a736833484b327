import Foundation
import GRDB

/// Loads as generations: a load writes its rows tagged with its run, in short transactions, out
/// of the readers' sight (the views show only the generation `source_state` points to); one tiny
/// transaction makes it current; the previous generation is then deleted: its tables of its own
/// (``GenerationTable``) dropped, its rows of the shared tables deleted in short transactions.
/// A crash leaves rows or tables of no current generation: ``removeStaleGenerations()`` deletes
/// them, and only the holder of the ingestion lock runs it.
extension Store {
    /// The tables holding per-source rows of every generation, tagged with their run (the rows
    /// written by the million have tables of their own: ``GenerationTable``).
    static let sharedGenerationTables = [
        "commune_row", "mouvement_row", "population_row", "centroid_row", "contour_row",
    ]
    /// Every table holding an analysis's results, by analysis.
    static let analysisTables = ["flag_row", "access_row", "meeting_loss_row", "cafe_known_row", "candidate_score"]

    /// Rows deleted per transaction when clearing an old generation or analysis: 10,000 national
    /// BPE sites took ~90 ms (before they had tables of their own), the longest a field note then
    /// waits.
    static let deleteBatchSize = 10_000
    /// Microseconds between two transactions of a long job (``pauseForOtherWriters()``): four
    /// tries of a writer waiting (``waitForTheWriter``), 1 ms. With 3 ms, a national BPE reload's
    /// 54 batches paused 0.16 s, and took 0.05–0.1 s more.
    private static let transactionPauseMicroseconds = 4 * writerPollMicroseconds

    /// Pauses after each transaction of a long job (a load's batches, a deletion's, an analysis's
    /// save), the last one too, since another job's may follow: another process's writer, polling
    /// every quarter millisecond (``waitForTheWriter``), gets the lock. One transaction right after
    /// the other, a field note would wait for the whole job.
    static func pauseForOtherWriters() { usleep(transactionPauseMicroseconds) }

    /// The same, from Swift concurrency.
    static func pauseForOtherWriters() async throws {
        try await Task.sleep(for: .microseconds(transactionPauseMicroseconds))
    }

    /// Loads `state.source`'s new data as the generation of run `state.runId`: `body` writes the
    /// rows (committed in batches as it goes); then the run is recorded as loaded and the new
    /// generation made current in one transaction, and the previous one is removed (its tables
    /// dropped, its shared rows deleted). If anything before that transaction fails, the previous
    /// data stays current, what was written so far is removed and the error propagates (a crash
    /// leaves it to ``removeStaleGenerations()``).
    ///
    /// Synchronous: call it off Swift's cooperative pool (the load parses a whole file).
    public func load(_ state: SourceState, _ body: (SourceWriter) throws -> RunOutcome) throws -> RunOutcome {
        let rows = SourceWriter(writer: writer, source: state.source, run: state.runId, vintage: state.vintage ?? 0)
        // A load's transactions touch thousands of index pages each. In SQLite's default 2 MB
        // cache they spilled and were written several times a transaction (national BPE: 6 GB
        // written, 3 GB with 64 MB); with a checkpoint every 1,000 pages of WAL, every batch
        // copied its pages into the database and synced it (a checkpoint every 64 MB: 18 → 15 s).
        // 16,384 pages are 64 MB in a store of 4 KiB pages, 128 MB in one of 8 KiB; a checkpoint
        // every 32, 64 or 128 MB made no difference to the national BPE reload (2.5 s each).
        // Both go back to SQLite's defaults after: not to stay in a daemon's memory.
        try writer.writeWithoutTransaction {
            try $0.execute(sql: "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16384")
        }
        defer {
            try? writer.writeWithoutTransaction {
                try $0.execute(sql: "PRAGMA cache_size = -2000; PRAGMA wal_autocheckpoint = 1000; PRAGMA shrink_memory")
            }
        }
        let outcome: RunOutcome
        do {
            outcome = try body(rows)
            try rows.finish()
            try writer.write { db in
                try Self.finish(db, state.runId, outcome)
                let previous = try SourceState.fetchOne(db, key: state.source)?.runId
                var loaded = state
                loaded.coverage = outcome.coverage?.description
                loaded.loadedAt = Store.now()
                try loaded.save(db)
                // Only the views of the rows this source writes change: redefining a view makes
                // every connection re-read the schema and prepare its statements again.
                let changed = try GenerationTable.kinds(
                    db, where: "g.run_id IN (?, ?)", [state.runId, previous ?? state.runId])
                for table in changed { try table.showCurrent(db) }
            }
        } catch {
            rows.abandon()
            try? dropTables(where: "g.run_id = ?", [state.runId])
            for table in Self.sharedGenerationTables {
                try? deleteInBatches(table, "source = ? AND run_id = ?", [state.source, state.runId])
            }
            throw error
        }
        // The new data is in force: a failed clean-up is left to the next job's sweep.
        try? dropTables(
            where: "g.run_id IN (SELECT id FROM ingestion_run WHERE source = ? AND id != ?)",
            [state.source, state.runId])
        for table in Self.sharedGenerationTables {
            try? deleteInBatches(table, "source = ? AND run_id != ?", [state.source, state.runId])
        }
        return outcome
    }

    /// Drops the generation tables whose run matches `condition` (on `g`, their listing), one
    /// transaction each (a drop takes tens of milliseconds: it frees pages, it does not visit rows).
    private func dropTables(where condition: String, _ arguments: StatementArguments) throws {
        let tables = try writer.read { try GenerationTable.tables($0, where: condition, arguments) }
        for table in tables {
            try writer.write { try GenerationTable.drop(table, $0) }
            Self.pauseForOtherWriters()
        }
    }

    /// Deletes the rows of `table` that match `condition`, a batch per transaction (each short, so
    /// that other writers never wait long).
    func deleteInBatches(_ table: String, _ condition: String, _ arguments: StatementArguments) throws {
        var deleted: Int
        repeat {
            deleted = try writer.write { try Self.deleteBatch($0, table, condition, arguments) }
            Self.pauseForOtherWriters()
        } while deleted == Self.deleteBatchSize
    }

    /// The same, from Swift concurrency.
    func deleteInBatches(_ table: String, _ condition: String, _ arguments: StatementArguments) async throws {
        var deleted: Int
        repeat {
            deleted = try await writer.write { try Self.deleteBatch($0, table, condition, arguments) }
            try await Self.pauseForOtherWriters()
        } while deleted == Self.deleteBatchSize
    }

    /// Deletes one batch of the rows of `table` that match `condition`; returns how many.
    private static func deleteBatch(
        _ db: Database, _ table: String, _ condition: String, _ arguments: StatementArguments
    ) throws -> Int {
        try db.execute(
            sql: "DELETE FROM \(table) WHERE rowid IN (SELECT rowid FROM \(table) WHERE \(condition) LIMIT ?)",
            arguments: arguments + [deleteBatchSize])
        return db.changesCount
    }

    /// What a process killed mid-job left: runs still `running` (closed as failed, interrupted),
    /// tables and rows of generations that never became current or were not yet removed, results
    /// of analyses that never finished or were not yet deleted. Only the holder of the ingestion
    /// lock may call this: it knows no other job is writing. Cheap when there is nothing to do:
    /// it looks for the rows of each past run and analysis through the tables' indexes, never by
    /// scanning them.
    public func removeStaleGenerations() async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE ingestion_run SET outcome = 'failed', finished_at = ?,
                        error = 'interrupted (process stopped before the run finished)'
                    WHERE outcome = 'running'
                    """, arguments: [Store.now()])
        }
        let (generations, analyses, tables) = try await writer.read { db in
            // Runs that wrote rows (an unchanged one writes none) and are not their source's current one.
            let runs = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.source, r.id FROM ingestion_run r LEFT JOIN source_state s ON s.source = r.source
                    WHERE r.outcome != 'unchanged' AND (s.run_id IS NULL OR s.run_id != r.id)
                    """
            ).map { (source: $0[0] as String, run: $0[1] as Int64) }
            let pastAnalyses = try Int64.fetchAll(
                db, sql: "SELECT id FROM analysis_run WHERE id IS NOT (SELECT id FROM current_analysis)")
            func holds(_ table: String, _ condition: String, _ arguments: StatementArguments) throws -> Bool {
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE \(condition))", arguments: arguments) ?? false
            }
            var generations: [(table: String, source: String, run: Int64)] = []
            for table in Self.sharedGenerationTables {
                for r in runs where try holds(table, "source = ? AND run_id = ?", [r.source, r.run]) {
                    generations.append((table, r.source, r.run))
                }
            }
            var analyses: [(table: String, id: Int64)] = []
            for table in Self.analysisTables {
                for id in pastAnalyses where try holds(table, "analysis_id = ?", [id]) { analyses.append((table, id)) }
            }
            return (generations, analyses, try Self.staleTables(db))
        }
        for table in tables { try await writer.write { try GenerationTable.drop(table, $0) } }
        if !tables.isEmpty {
            // A view never shows a stale table (each swap redefines it), unless the sources'
            // state was changed by other means: redefined, it cannot name a table just dropped.
            try await writer.write { db in for kind in GenerationTable.allCases { try kind.showCurrent(db) } }
        }
        for g in generations { try await deleteInBatches(g.table, "source = ? AND run_id = ?", [g.source, g.run]) }
        for a in analyses { try await deleteInBatches(a.table, "analysis_id = ?", [a.id]) }
        try await writer.write { db in try db.execute(sql: "DELETE FROM analysis_run WHERE finished_at IS NULL") }
    }

    /// Rows of no current generation or analysis, per table, and the generation tables of no
    /// current run with their rows (none after a job completes).
    package func staleRows() async throws -> [String: Int] {
        try await writer.read { db in
            var out: [String: Int] = [:]
            for table in Self.sharedGenerationTables {
                out[table] = try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM \(table) r LEFT JOIN source_state s ON s.source = r.source
                        WHERE s.run_id IS NULL OR s.run_id != r.run_id
                        """)
            }
            for table in Self.analysisTables {
                out[table] = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM \(table) WHERE analysis_id IS NOT (SELECT id FROM current_analysis)")
            }
            out = out.filter { $0.value > 0 }
            for table in try Self.staleTables(db) { out[table] = try GenerationTable.rowCount(of: table, db) }
            return out
        }
    }

    /// The generation tables of runs no source holds now.
    private static func staleTables(_ db: Database) throws -> [String] {
        try GenerationTable.tables(db, where: "g.run_id NOT IN (SELECT run_id FROM source_state)")
    }
}
