import Analysis
import Foundation
import GRDB

extension Store {
    /// Saves an analysis as a new generation of results: its flags, distances, commune lists and
    /// candidate scores are written in short transactions out of the readers' sight, then one
    /// transaction makes it current (and records first and last sightings of its candidates),
    /// then the previous analysis's rows are deleted; if it fails before, its own rows are. Field
    /// notes are never touched: a commune that left the list keeps its status and note, no longer
    /// listed. What it changed in the `watch` (alerts, last known flags) is saved in the same
    /// transaction that makes it current, with a delivery of each alert to every webhook whose
    /// filter takes it.
    public func saveAnalysis(
        _ result: Analyzer.Result, communes: Int, watch: WatchUpdate? = nil,
        webhooks: [(name: String, filter: AlertFilter)] = []
    ) async throws {
        let id = try await writer.write { db in
            try db.execute(sql: "INSERT INTO analysis_run (started_at) VALUES (?)", arguments: [Store.now()])
            return db.lastInsertedRowID
        }
        do {
            try await insertInBatches(
                result.flags,
                """
                INSERT INTO flag_row (analysis_id, commune, category, flag, vintage_from, vintage_to, sources,
                    disagreement)
                VALUES (?,?,?,?,?,?,?,?)
                """
            ) { row, f in
                try row.insert(
                    id, f.commune.rawValue, f.category.rawValue, f.flag.rawValue, f.vintageFrom, f.vintageTo, f.sources,
                    f.disagreement)
            }
            try await insertInBatches(
                result.access,
                "INSERT INTO access_row (analysis_id, commune, category, nearest_km, catchment_without) VALUES (?,?,?,?,?)"
            ) { row, a in try row.insert(id, a.commune.rawValue, a.category.rawValue, a.nearestKm, a.catchmentWithout) }
            for (table, communes) in [
                ("meeting_loss_row", result.lostMeetingPlace), ("cafe_known_row", result.cafeKnown),
            ] {
                let sql = "INSERT INTO \(table) (analysis_id, commune) VALUES (?,?)"
                try await insertInBatches(communes.sorted(), sql) { row, code in try row.insert(id, code.rawValue) }
            }
            try await insertInBatches(
                result.candidates.enumerated(),
                "INSERT INTO candidate_score (analysis_id, commune, score, rank, breakdown) VALUES (?,?,?,?,?)"
            ) { row, c in
                try row.insert(id, c.element.commune.rawValue, c.element.score, c.offset + 1, c.element.breakdown)
            }
            try await writer.write { db in
                let now = Store.now()
                try db.execute(
                    sql: """
                        INSERT INTO candidate (commune, first_seen, last_seen)
                            SELECT commune, ?, ? FROM candidate_score WHERE analysis_id = ?
                        ON CONFLICT(commune) DO UPDATE SET last_seen = excluded.last_seen
                        """, arguments: [now, now, id])
                try db.execute(
                    sql: """
                        UPDATE analysis_run SET finished_at = ?, vintage_from = ?, vintage_to = ?, communes = ?,
                            candidates = ?
                        WHERE id = ?
                        """,
                    arguments: [now, result.vintageFrom, result.vintageTo, communes, result.candidates.count, id])
                if let watch { try Self.record(watch, analysisID: id, webhooks: webhooks, at: now, db) }
            }
        } catch {
            // The previous analysis stays current; this one's rows go. Done even though the task is
            // cancelled (GRDB stops the accesses of a cancelled task); a crash leaves them to the sweep.
            try? await Task.detached { [self] in
                for table in Self.analysisTables { try await deleteInBatches(table, "analysis_id = ?", [id]) }
                try await writer.write { try $0.execute(sql: "DELETE FROM analysis_run WHERE id = ?", arguments: [id]) }
            }.value
            throw error
        }
        // The new analysis is in force: a failed clean-up is left to the next job's sweep.
        for table in Self.analysisTables { try? await deleteInBatches(table, "analysis_id != ?", [id]) }
    }

    /// Inserts a row per item with `sql`, a batch per write transaction (each short, so that other
    /// writers never wait long), through one statement prepared per batch.
    private func insertInBatches<Item: Sendable>(
        _ items: some Sequence<Item>, _ sql: String, _ insert: @escaping @Sendable (RowInserter, Item) throws -> Void
    ) async throws {
        // Made a batch at a time: an analysis's records are made as they are read from its columns.
        var rest = items.makeIterator()
        while true {
            var batch: [Item] = []
            batch.reserveCapacity(SourceWriter.batch)
            while batch.count < SourceWriter.batch, let item = rest.next() { batch.append(item) }
            if batch.isEmpty { return }
            try await writer.write { [batch] db in
                let row = RowInserter(try db.makeStatement(sql: sql))
                for item in batch { try insert(row, item) }
            }
            try await Self.pauseForOtherWriters()
        }
    }

    /// Whether any analysis has been saved.
    public func hasAnalysis() async throws -> Bool {
        try await writer.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM current_analysis WHERE id IS NOT NULL") ?? 0 > 0
        }
    }
}
