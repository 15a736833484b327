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
            let encoder = JSONEncoder()
            var rows: [(sql: String, arguments: StatementArguments)] = []
            func add(_ sql: String, _ arguments: StatementArguments) async throws {
                rows.append((sql, arguments))
                if rows.count >= SourceWriter.batch { try await flush() }
            }
            func flush() async throws {
                let batch = rows
                try await writer.write { db in
                    for row in batch {
                        let statement = try db.cachedStatement(sql: row.sql)
                        statement.setUncheckedArguments(row.arguments)
                        try statement.execute()
                    }
                }
                rows.removeAll(keepingCapacity: true)
            }
            for f in result.flags {
                try await add(
                    """
                    INSERT INTO flag_row (analysis_id, commune, category, flag, vintage_from, vintage_to, sources,
                        disagreement)
                    VALUES (?,?,?,?,?,?,?,?)
                    """, [id, f.commune, f.category, f.flag, f.vintageFrom, f.vintageTo, f.sources, f.disagreement])
            }
            for a in result.access {
                try await add(
                    "INSERT INTO access_row (analysis_id, commune, category, nearest_km, catchment_without) VALUES (?,?,?,?,?)",
                    [id, a.commune, a.category, a.nearestKm, a.catchmentWithout])
            }
            for code in result.lostMeetingPlace.sorted() {
                try await add("INSERT INTO meeting_loss_row (analysis_id, commune) VALUES (?,?)", [id, code])
            }
            for code in result.cafeKnown.sorted() {
                try await add("INSERT INTO cafe_known_row (analysis_id, commune) VALUES (?,?)", [id, code])
            }
            for (i, c) in result.candidates.enumerated() {
                let breakdown = String(decoding: try encoder.encode(c.breakdown), as: UTF8.self)
                try await add(
                    "INSERT INTO candidate_score (analysis_id, commune, score, rank, breakdown) VALUES (?,?,?,?,?)",
                    [id, c.commune, c.score, i + 1, breakdown])
            }
            try await flush()
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

    /// Whether any analysis has been saved.
    public func hasAnalysis() async throws -> Bool {
        try await writer.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM current_analysis WHERE id IS NOT NULL") ?? 0 > 0
        }
    }
}
