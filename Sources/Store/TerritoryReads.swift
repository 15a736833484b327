import Foundation
import GRDB
import Geo
import Territory

extension Store {
    /// What a ``CodeTranslator`` needs: target communes, arrondissement parents, the change table.
    /// Returns nil when no COG of `targetVintage` is loaded.
    public func translator(targetVintage: Int) async throws -> CodeTranslator? {
        try await writer.read { db in
            let target = Set(
                try CommuneCode.fetchAll(
                    db, sql: "SELECT code FROM commune WHERE vintage = ? AND type = 'COM'", arguments: [targetVintage]))
            guard !target.isEmpty else { return nil }
            var parents: [CommuneCode: CommuneCode] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT code, parent FROM commune WHERE vintage = ? AND type = 'ARM' AND parent IS NOT NULL",
                arguments: [targetVintage])
            {
                parents[row["code"]] = row["parent"]
            }
            // Paris, Lyon and Marseille by rule too, in case the COG file lacks ARM rows.
            func arrondissements(_ codes: [String], of city: String) {
                for code in codes.compactMap(CommuneCode.init(_:)) where parents[code] == nil {
                    parents[code] = CommuneCode(city)
                }
            }
            arrondissements((1...20).map { String(format: "751%02d", $0) }, of: "75056")
            arrondissements((1...9).map { "6938\($0)" }, of: "69123")
            arrondissements((1...16).map { String(format: "132%02d", $0) }, of: "13055")
            // Positional columns: by name, each read lowercased the name (65 ms of a national BPE
            // reload, before its parse starts).
            var mouvements: [Mouvement] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT mod, date_eff, type_av, code_av, name_av, type_ap, code_ap, name_ap FROM mouvement
                    """)
            while let r = try rows.next() {
                mouvements.append(
                    Mouvement(
                        mod: r[0], date: r[1], typeBefore: r[2] ?? "", codeBefore: r[3] ?? "", nameBefore: r[4] ?? "",
                        typeAfter: r[5] ?? "", codeAfter: r[6] ?? "", nameAfter: r[7] ?? ""))
            }
            return CodeTranslator(
                targetVintage: targetVintage, targetCommunes: target, parents: parents, mouvements: mouvements)
        }
    }

    /// Counts of loaded communes per type in a COG vintage (for summaries).
    public func communeCounts(vintage: Int) async throws -> [CommuneType: Int] {
        try await writer.read { db in
            var out: [CommuneType: Int] = [:]
            for r in try Row.fetchAll(
                db, sql: "SELECT type, COUNT(*) AS n FROM commune WHERE vintage = ? GROUP BY type", arguments: [vintage]
            ) {
                if let type = CommuneType(rawValue: r["type"]) { out[type] = r["n"] }
            }
            return out
        }
    }

    /// Centroids of target communes (one per commune), for nearest-commune assignment.
    public func targetCentroids() async throws -> [(commune: CommuneCode, position: Coordinate)] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT commune, AVG(lat) AS lat, AVG(lon) AS lon FROM centroid
                    WHERE commune IS NOT NULL AND code = commune GROUP BY commune
                    """
            )
            .map { (commune: $0["commune"], position: Coordinate(lat: $0["lat"], lon: $0["lon"])) }
        }
    }

    /// Contour geometries (GeoJSON text) with their target commune.
    public func contours() async throws -> [(commune: CommuneCode, geometry: String)] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT commune, geometry FROM contour WHERE commune IS NOT NULL")
                .map { (commune: $0["commune"], geometry: $0["geometry"]) }
        }
    }

    /// The first of `departements` with no commune in the target geography, or nil when all exist
    /// (exports, maps and the API refuse an unknown one rather than answer with nothing).
    public func unknownDepartement(among departements: [String], targetVintage: Int) async throws -> String? {
        guard !departements.isEmpty else { return nil }
        return try await writer.read { db in
            // One indexed probe per département named (the API asks this on every request).
            let probe = try db.cachedStatement(
                sql: "SELECT EXISTS (SELECT 1 FROM commune WHERE vintage = ? AND dep = ? AND type = 'COM')")
            return try departements.first { try Bool.fetchOne(probe, arguments: [targetVintage, $0]) != true }
        }
    }

    /// A JSON array of strings (codes, category or webhook names) for `json_each`: bound, never
    /// spliced into SQL.
    static func jsonArray(_ values: [String]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: values)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
