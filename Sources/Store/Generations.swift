import Foundation
import GRDB

/// Loads as generations: a load writes its rows tagged with its run, in short transactions, out
/// of the readers' sight (the views show only the generation `source_state` points to); one tiny
/// transaction makes it current; the previous generation is then deleted in short transactions.
/// A crash leaves rows of no current generation: ``removeStaleGenerations()`` deletes them, and
/// only the holder of the ingestion lock runs it.
extension Store {
    /// Every table holding per-source rows, by generation.
    static let generationTables = [
        "commune_row", "mouvement_row", "population_row", "centroid_row", "contour_row", "equipment_row", "site_row",
    ]
    /// Every table holding an analysis's results, by analysis.
    static let analysisTables = ["flag_row", "access_row", "meeting_loss_row", "cafe_known_row", "candidate_score"]

    /// Rows deleted per transaction when clearing an old generation.
    static let deleteBatchSize = 20_000

    /// Loads `state.source`'s new data as the generation of run `state.runId`: `body` writes the
    /// rows (committed in batches as it goes); then the run is recorded as loaded and the new
    /// generation made current in one transaction, and the previous one is deleted. If `body`
    /// throws, the previous data stays current, the rows written so far are deleted and the error
    /// propagates (a crash leaves them to ``removeStaleGenerations()``).
    ///
    /// Synchronous: call it off Swift's cooperative pool (the load parses a whole file).
    public func load(_ state: SourceState, _ body: (SourceWriter) throws -> RunOutcome) throws -> RunOutcome {
        let rows = SourceWriter(writer: writer, source: state.source, run: state.runId, vintage: state.vintage ?? 0)
        let outcome: RunOutcome
        do {
            outcome = try body(rows)
            try rows.flush()
        } catch {
            try? deleteGeneration(state.runId, of: state.source)
            throw error
        }
        try writer.write { db in
            try Self.finish(db, state.runId, outcome)
            var loaded = state
            loaded.coverage = outcome.coverage?.description
            loaded.loadedAt = Store.now()
            try loaded.save(db)
        }
        try deleteGenerations(of: state.source, except: state.runId)
        return outcome
    }

    /// Deletes `source`'s rows of every generation but `current`, a batch per transaction.
    private func deleteGenerations(of source: String, except current: Int64) throws {
        for table in Self.generationTables {
            try deleteInBatches(
                "SELECT rowid FROM \(table) WHERE source = ? AND run_id != ?", arguments: [source, current], from: table
            )
        }
    }

    /// Deletes `source`'s rows of the generation `run`, a batch per transaction.
    private func deleteGeneration(_ run: Int64, of source: String) throws {
        for table in Self.generationTables {
            try deleteInBatches(
                "SELECT rowid FROM \(table) WHERE source = ? AND run_id = ?", arguments: [source, run], from: table)
        }
    }

    /// Deletes the rows `selection` (a `SELECT rowid`) finds in `table`, a batch per transaction.
    private func deleteInBatches(_ selection: String, arguments: StatementArguments = [], from table: String) throws {
        while try writer.write({ try Self.deleteBatch($0, selection, arguments, from: table) }) == Self.deleteBatchSize
        {}
    }

    private func deleteInBatches(_ selection: String, from table: String) async throws {
        while try await writer.write({ try Self.deleteBatch($0, selection, [], from: table) }) == Self.deleteBatchSize {
        }
    }

    /// Deletes one batch of the rows `selection` finds; returns how many.
    private static func deleteBatch(
        _ db: Database, _ selection: String, _ arguments: StatementArguments, from table: String
    ) throws -> Int {
        try db.execute(
            sql: "DELETE FROM \(table) WHERE rowid IN (\(selection) LIMIT \(deleteBatchSize))", arguments: arguments)
        return db.changesCount
    }

    /// What a process killed mid-job left: runs still `running` (closed as failed, interrupted),
    /// rows of generations that never became current or were not yet deleted, results of
    /// analyses that never finished. Only the holder of the ingestion lock may call this: it
    /// knows no other job is writing.
    public func removeStaleGenerations() async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE ingestion_run SET outcome = 'failed', finished_at = ?,
                        error = 'interrupted (process stopped before the run finished)'
                    WHERE outcome = 'running'
                    """, arguments: [Store.now()])
        }
        for table in Self.generationTables {
            try await deleteInBatches(
                """
                SELECT r.rowid FROM \(table) r LEFT JOIN source_state s ON s.source = r.source
                WHERE s.run_id IS NULL OR s.run_id != r.run_id
                """, from: table)
        }
        for table in Self.analysisTables {
            try await deleteInBatches(
                "SELECT rowid FROM \(table) WHERE analysis_id IS NOT (SELECT id FROM current_analysis)", from: table)
        }
        try await writer.write { db in try db.execute(sql: "DELETE FROM analysis_run WHERE finished_at IS NULL") }
    }

    /// Rows of no current generation or analysis, per table (none after a job completes).
    package func staleRows() async throws -> [String: Int] {
        try await writer.read { db in
            var out: [String: Int] = [:]
            for table in Self.generationTables {
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
            return out.filter { $0.value > 0 }
        }
    }
}
