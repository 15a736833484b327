import Foundation
import GRDB
import Geo
import Territory

/// A commune of the target geography with its reference facts.
public struct CommuneInfo: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var type: String
    public var dep: String?
    public var reg: String?
    public var parent: String?
    public var population: Int?
    public var populationYear: Int?
    public var lat: Double?
    public var lon: Double?
}

/// A former commune (déléguée / associée) of a commune nouvelle.
public struct FormerCommune: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var type: String
}

extension Store {
    /// What a ``CodeTranslator`` needs: target communes, arrondissement parents, the change table.
    /// Returns nil when no COG of `targetVintage` is loaded.
    public func translator(targetVintage: Int) async throws -> CodeTranslator? {
        try await pool.read { db in
            let target = Set(
                try String.fetchAll(
                    db, sql: "SELECT code FROM commune WHERE vintage = ? AND type = 'COM'", arguments: [targetVintage]))
            guard !target.isEmpty else { return nil }
            var parents: [String: String] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT code, parent FROM commune WHERE vintage = ? AND type = 'ARM' AND parent IS NOT NULL",
                arguments: [targetVintage])
            {
                parents[row["code"]] = row["parent"]
            }
            // Paris, Lyon and Marseille by rule too, in case the COG file lacks ARM rows.
            for i in 1...20 { parents[String(format: "751%02d", i)] = parents[String(format: "751%02d", i)] ?? "75056" }
            for i in 1...9 { parents["6938\(i)"] = parents["6938\(i)"] ?? "69123" }
            for i in 1...16 { parents[String(format: "132%02d", i)] = parents[String(format: "132%02d", i)] ?? "13055" }
            let mouvements = try Row.fetchAll(db, sql: "SELECT * FROM mouvement").map {
                Mouvement(
                    mod: $0["mod"], date: $0["date_eff"], typeBefore: $0["type_av"] ?? "",
                    codeBefore: $0["code_av"] ?? "",
                    nameBefore: $0["name_av"] ?? "", typeAfter: $0["type_ap"] ?? "", codeAfter: $0["code_ap"] ?? "",
                    nameAfter: $0["name_ap"] ?? "")
            }
            return CodeTranslator(
                targetVintage: targetVintage, targetCommunes: target, parents: parents, mouvements: mouvements)
        }
    }

    /// The commune `code` of the target geography (any type: COM, COMD, COMA, ARM), with its
    /// population (latest year loaded) and centroid; nil when unknown.
    public func commune(_ code: String, targetVintage: Int) async throws -> CommuneInfo? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT * FROM commune WHERE vintage = ? AND code = ?
                        ORDER BY CASE type WHEN 'COM' THEN 0 WHEN 'ARM' THEN 1 ELSE 2 END LIMIT 1
                        """, arguments: [targetVintage, code])
            else { return nil }
            var info = CommuneInfo(
                code: row["code"], name: row["name"], type: row["type"], dep: row["dep"], reg: row["reg"],
                parent: row["parent"])
            if info.type == "COM" {
                let year = try Int.fetchOne(
                    db, sql: "SELECT MAX(year) FROM population WHERE commune = ?", arguments: [code])
                if let year {
                    info.populationYear = year
                    info.population = try Int.fetchOne(
                        db, sql: "SELECT SUM(pmun) FROM population WHERE commune = ? AND year = ?",
                        arguments: [code, year])
                }
                if let c = try Row.fetchOne(
                    db, sql: "SELECT lat, lon FROM centroid WHERE commune = ? ORDER BY code = commune DESC LIMIT 1",
                    arguments: [code])
                {
                    info.lat = c["lat"]
                    info.lon = c["lon"]
                }
            } else if info.type == "ARM" {
                info.populationYear = try Int.fetchOne(
                    db, sql: "SELECT MAX(year) FROM population WHERE code = ?", arguments: [code])
                info.population = try Int.fetchOne(
                    db, sql: "SELECT pmun FROM population WHERE code = ? ORDER BY year DESC LIMIT 1", arguments: [code])
                if let c = try Row.fetchOne(
                    db, sql: "SELECT lat, lon FROM centroid WHERE code = ? LIMIT 1", arguments: [code])
                {
                    info.lat = c["lat"]
                    info.lon = c["lon"]
                }
            }
            return info
        }
    }

    /// Former communes (déléguées, associées) whose parent is `code` in the target COG.
    public func formerCommunes(of code: String, targetVintage: Int) async throws -> [FormerCommune] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT code, name, type FROM commune WHERE vintage = ? AND parent = ? AND type IN ('COMD','COMA') ORDER BY code",
                arguments: [targetVintage, code]
            ).map { FormerCommune(code: $0["code"], name: $0["name"], type: $0["type"]) }
        }
    }

    /// Counts of loaded communes per type in a COG vintage (for summaries).
    public func communeCounts(vintage: Int) async throws -> [String: Int] {
        try await pool.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(
                    db, sql: "SELECT type, COUNT(*) AS n FROM commune WHERE vintage = ? GROUP BY type",
                    arguments: [vintage]
                )
                .map { (($0["type"] as String), ($0["n"] as Int)) })
        }
    }

    /// Centroids of target communes (one per commune), for nearest-commune assignment.
    public func targetCentroids() async throws -> [(commune: String, position: Coordinate)] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT commune, AVG(lat) AS lat, AVG(lon) AS lon FROM centroid WHERE commune IS NOT NULL AND code = commune GROUP BY commune"
            )
            .map { (commune: $0["commune"], position: Coordinate(lat: $0["lat"], lon: $0["lon"])) }
        }
    }

    /// Contour geometries (GeoJSON text) with their target commune and bounds.
    public func contours(communes: [String]? = nil) async throws -> [(commune: String, geometry: String)] {
        try await pool.read { db in
            let rows: [Row]
            if let communes {
                rows = try Row.fetchAll(
                    db, sql: "SELECT commune, geometry FROM contour WHERE commune IN (SELECT value FROM json_each(?))",
                    arguments: [String(decoding: try JSONEncoder().encode(communes), as: UTF8.self)])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT commune, geometry FROM contour WHERE commune IS NOT NULL")
            }
            return rows.map { (commune: $0["commune"], geometry: $0["geometry"]) }
        }
    }

    /// Runs arbitrary read-only work on a reader connection (for read models in other modules of
    /// this store, e.g. tests' recounts). Statements must use bound arguments.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }
}
