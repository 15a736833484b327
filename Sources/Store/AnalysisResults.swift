import Analysis
import Foundation
import GRDB

extension Store {
    /// Replaces flags, access and the commune lists, and merges candidates: scores and ranks are
    /// rewritten, status and note are never touched, communes that left the list are marked
    /// `listed = 0`.
    public func saveAnalysis(_ result: Analyzer.Result, communes: Int) async throws {
        try await writer.write { db in
            let now = Store.now()
            for (table, codes) in [("meeting_loss", result.lostMeetingPlace), ("cafe_known", result.cafeKnown)] {
                try db.execute(sql: "DELETE FROM \(table)")
                let insert = try db.makeStatement(sql: "INSERT INTO \(table) (commune) VALUES (?)")
                for code in codes.sorted() { try insert.execute(arguments: [code]) }
            }
            // Hundreds of thousands of rows: one prepared statement each, not a record encoding per row.
            try db.execute(sql: "DELETE FROM flag")
            try db.execute(sql: "DELETE FROM access")
            let flag = try db.makeStatement(
                sql: """
                    INSERT INTO flag (commune, category, flag, vintage_from, vintage_to, sources, disagreement)
                    VALUES (?,?,?,?,?,?,?)
                    """)
            for f in result.flags {
                try flag.execute(arguments: [
                    f.commune, f.category, f.flag, f.vintageFrom, f.vintageTo, f.sources, f.disagreement,
                ])
            }
            let access = try db.makeStatement(
                sql: "INSERT INTO access (commune, category, nearest_km, catchment_without) VALUES (?,?,?,?)")
            for a in result.access {
                try access.execute(arguments: [a.commune, a.category, a.nearestKm, a.catchmentWithout])
            }
            try db.execute(sql: "UPDATE candidate SET listed = 0, rank = NULL")
            let candidate = try db.makeStatement(
                sql: """
                    INSERT INTO candidate (commune, score, rank, breakdown, first_seen, last_seen, listed)
                    VALUES (?,?,?,?,?,?,1)
                    ON CONFLICT(commune) DO UPDATE SET score = excluded.score, rank = excluded.rank,
                        breakdown = excluded.breakdown, last_seen = excluded.last_seen, listed = 1
                    """)
            let encoder = JSONEncoder()
            for (i, c) in result.candidates.enumerated() {
                let breakdown = String(decoding: try encoder.encode(c.breakdown), as: UTF8.self)
                try candidate.execute(arguments: [c.commune, c.score, i + 1, breakdown, now, now])
            }
            try db.execute(
                sql: """
                    INSERT INTO analysis_run (started_at, finished_at, vintage_from, vintage_to, communes, candidates)
                    VALUES (?,?,?,?,?,?)
                    """,
                arguments: [now, now, result.vintageFrom, result.vintageTo, communes, result.candidates.count])
        }
    }

    /// Whether any analysis has been saved.
    public func hasAnalysis() async throws -> Bool {
        try await writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM analysis_run") ?? 0 > 0 }
    }
}
