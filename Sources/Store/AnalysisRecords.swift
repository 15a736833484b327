import Analysis
import Foundation
import GRDB

extension Store {
    /// Replaces flags and access, and merges candidates: scores and ranks are rewritten, status and
    /// note are never touched, communes that left the list are marked `listed = 0`.
    public func saveAnalysis(
        flags: [FlagRecord], access: [AccessRecord], candidates: [ScoredCommune], lostMeetingPlace: Set<String>,
        cafeKnown: Set<String>, vintageFrom: Int?, vintageTo: Int?, communes: Int
    ) async throws {
        try await pool.write { db in
            let now = Store.now()
            for (table, codes) in [("meeting_loss", lostMeetingPlace), ("cafe_known", cafeKnown)] {
                try db.execute(sql: "DELETE FROM \(table)")
                let m = try db.makeStatement(sql: "INSERT INTO \(table) (commune) VALUES (?)")
                for code in codes.sorted() { try m.execute(arguments: [code]) }
            }
            try db.execute(sql: "DELETE FROM flag")
            try db.execute(sql: "DELETE FROM access")
            let f = try db.makeStatement(
                sql:
                    "INSERT INTO flag (commune, category, flag, vintage_from, vintage_to, sources, disagreement) VALUES (?,?,?,?,?,?,?)"
            )
            for x in flags {
                try f.execute(arguments: [x.commune, x.category, x.flag, x.from, x.to, x.sources, x.disagreement])
            }
            let a = try db.makeStatement(
                sql: "INSERT INTO access (commune, category, nearest_km, catchment_without) VALUES (?,?,?,?)")
            for x in access { try a.execute(arguments: [x.commune, x.category, x.nearestKm, x.catchmentWithout]) }
            try db.execute(sql: "UPDATE candidate SET listed = 0, rank = NULL")
            let c = try db.makeStatement(
                sql: """
                    INSERT INTO candidate (commune, score, rank, breakdown, first_seen, last_seen, listed) VALUES (?,?,?,?,?,?,1)
                    ON CONFLICT(commune) DO UPDATE SET score = excluded.score, rank = excluded.rank, breakdown = excluded.breakdown,
                        last_seen = excluded.last_seen, listed = 1
                    """)
            let encoder = JSONEncoder()
            for (i, x) in candidates.enumerated() {
                let breakdown = String(decoding: try encoder.encode(x.breakdown), as: UTF8.self)
                try c.execute(arguments: [x.commune, x.score, i + 1, breakdown, now, now])
            }
            try db.execute(
                sql:
                    "INSERT INTO analysis_run (started_at, finished_at, vintage_from, vintage_to, communes, candidates) VALUES (?,?,?,?,?,?)",
                arguments: [now, now, vintageFrom, vintageTo, communes, candidates.count])
        }
    }

    public func flags(commune: String) async throws -> [FlagRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM flag WHERE commune = ? ORDER BY category", arguments: [commune])
                .map(Self.flag)
        }
    }

    static func flag(_ r: Row) -> FlagRecord {
        FlagRecord(
            commune: r["commune"], category: r["category"], flag: r["flag"], from: r["vintage_from"],
            to: r["vintage_to"],
            sources: r["sources"], disagreement: r["disagreement"])
    }

    public func access(commune: String) async throws -> [AccessRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM access WHERE commune = ? ORDER BY category", arguments: [commune])
                .map {
                    AccessRecord(
                        commune: $0["commune"], category: $0["category"], nearestKm: $0["nearest_km"],
                        catchmentWithout: $0["catchment_without"])
                }
        }
    }

    public func candidate(commune: String) async throws -> CandidateRecord? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.candidateColumns) FROM candidate k WHERE commune = ?", arguments: [commune]
            )
            .map(Self.candidate)
        }
    }

    /// The columns ``candidate(_:)`` reads, from `candidate k`.
    static let candidateColumns = "k.*, EXISTS (SELECT 1 FROM cafe_known ck WHERE ck.commune = k.commune) AS cafe_known"

    static func candidate(_ r: Row) -> CandidateRecord {
        // A breakdown saved by an earlier version of the score reads as none until the next analysis.
        let breakdown =
            (r["breakdown"] as String?).flatMap { try? JSONDecoder().decode([ScoreTerm].self, from: Data($0.utf8)) }
            ?? []
        return CandidateRecord(
            commune: r["commune"], score: r["score"] ?? 0, rank: r["rank"], breakdown: breakdown, status: r["status"],
            note: r["note"], firstSeen: r["first_seen"], lastSeen: r["last_seen"], listed: r["listed"],
            cafeKnown: r["cafe_known"])
    }

    /// Whether a café source covered `commune` in the last analysis.
    public func isCafeKnown(commune: String) async throws -> Bool {
        try await pool.read {
            try Bool.fetchOne(
                $0, sql: "SELECT EXISTS (SELECT 1 FROM cafe_known WHERE commune = ?)", arguments: [commune]) ?? false
        }
    }

    /// Sets the field team's status and/or note. The commune need not be listed: a note on any
    /// commune of the target geography is kept.
    /// - Throws: `StoreError` for an unknown status.
    public func annotate(commune: String, status: String?, note: String?) async throws {
        if let status, !CandidateRecord.statuses.contains(status) {
            throw StoreError(
                path: path,
                message: "unknown status \(status) (one of \(CandidateRecord.statuses.joined(separator: ", ")))")
        }
        try await pool.write { db in
            let now = Store.now()
            try db.execute(
                sql: "INSERT OR IGNORE INTO candidate (commune, first_seen, last_seen, listed) VALUES (?, ?, ?, 0)",
                arguments: [commune, now, now])
            if let status {
                try db.execute(sql: "UPDATE candidate SET status = ? WHERE commune = ?", arguments: [status, commune])
            }
            if let note {
                try db.execute(sql: "UPDATE candidate SET note = ? WHERE commune = ?", arguments: [note, commune])
            }
        }
    }

    /// The first of `departements` with no commune in the target geography, or nil when all exist
    /// (exports, maps and the API refuse an unknown one rather than answer with nothing).
    public func unknownDepartement(among departements: [String], targetVintage: Int) async throws -> String? {
        guard !departements.isEmpty else { return nil }
        let known = try await pool.read {
            Set(
                try String.fetchAll(
                    $0, sql: "SELECT DISTINCT dep FROM commune WHERE vintage = ? AND type = 'COM' AND dep IS NOT NULL",
                    arguments: [targetVintage]))
        }
        return departements.first { !known.contains($0) }
    }
}

extension Store {
    /// Whether any analysis has been saved.
    public func hasAnalysis() async throws -> Bool {
        try await pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM analysis_run") ?? 0 > 0 }
    }
}
