import GRDB

/// One commune as exported: reference facts, flags, distances, candidate fields, shape.
public struct ExportRow: Sendable {
    public var code: String
    public var name: String
    public var dep: String?
    public var reg: String?
    public var population: Int?
    public var populationYear: Int?
    public var lat: Double?
    public var lon: Double?
    public var flags: [String: String]
    public var nearestKm: [String: Double]
    public var lostMeetingPlace: Bool
    public var candidate: CandidateRecord?
    /// Contour geometries (GeoJSON text) of the commune; several for a commune nouvelle drawn
    /// from older contours.
    public var geometries: [String]
}

extension Store {
    /// Calls `body` for each commune of the target geography in `departements` (all when empty),
    /// only current candidates (by rank) when `candidatesOnly`. Rows stream from a cursor.
    public func forEachExportRow(targetVintage: Int, departements: [String], candidatesOnly: Bool, withGeometry: Bool,
                                 _ body: @escaping @Sendable (ExportRow) throws -> Void) async throws {
        try await pool.read { db in
            let popYear = try Int.fetchOne(db, sql: "SELECT MAX(year) FROM population")
            let depFilter = departements.isEmpty ? "" : "AND c.dep IN (SELECT value FROM json_each(?))"
            let depJSON = Self.jsonArray(departements)
            let sql = """
                SELECT c.code, c.name, c.dep, c.reg,
                    (SELECT SUM(pmun) FROM population p WHERE p.commune = c.code AND p.year = ?) AS population,
                    (SELECT lat FROM centroid ce WHERE ce.commune = c.code ORDER BY ce.code = ce.commune DESC LIMIT 1) AS lat,
                    (SELECT lon FROM centroid ce WHERE ce.commune = c.code ORDER BY ce.code = ce.commune DESC LIMIT 1) AS lon,
                    (SELECT 1 FROM meeting_loss m WHERE m.commune = c.code) AS lost_meeting,
                    k.commune AS cand
                FROM commune c LEFT JOIN candidate k ON k.commune = c.code
                WHERE c.vintage = ? AND c.type = 'COM' \(depFilter) \(candidatesOnly ? "AND k.listed = 1" : "")
                ORDER BY \(candidatesOnly ? "k.rank," : "") c.code
                """
            var arguments: StatementArguments = [popYear, targetVintage]
            if !departements.isEmpty { arguments += [depJSON] }
            let flagStatement = try db.makeStatement(sql: "SELECT category, flag FROM flag WHERE commune = ?")
            let accessStatement = try db.makeStatement(sql: "SELECT category, nearest_km FROM access WHERE commune = ?")
            let candidateStatement = try db.makeStatement(sql: "SELECT * FROM candidate WHERE commune = ?")
            let contourStatement = try db.makeStatement(sql: "SELECT geometry FROM contour WHERE commune = ? ORDER BY code")
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let r = try rows.next() {
                let code: String = r["code"]
                var flags: [String: String] = [:]
                for f in try Row.fetchAll(flagStatement, arguments: [code]) { flags[f["category"]] = f["flag"] }
                var nearest: [String: Double] = [:]
                for a in try Row.fetchAll(accessStatement, arguments: [code]) { if let km: Double = a["nearest_km"] { nearest[a["category"]] = km } }
                let population: Int? = r["population"]
                let candidate = (r["cand"] as String?) == nil ? nil : try Row.fetchOne(candidateStatement, arguments: [code]).map(Self.candidate)
                let geometries = withGeometry ? try String.fetchAll(contourStatement, arguments: [code]) : []
                try body(ExportRow(code: code, name: r["name"], dep: r["dep"], reg: r["reg"], population: population,
                                   populationYear: population == nil ? nil : popYear, lat: r["lat"], lon: r["lon"], flags: flags,
                                   nearestKm: nearest, lostMeetingPlace: (r["lost_meeting"] as Int?) == 1, candidate: candidate,
                                   geometries: geometries))
            }
        }
    }

    /// The categories of the mapping in force, in file order.
    public func categories() async throws -> [String] {
        try await pool.read { db in
            var out: [String] = []
            for c in try String.fetchAll(db, sql: "SELECT category FROM category_code ORDER BY rowid") where !out.contains(c) { out.append(c) }
            return out
        }
    }

    /// Listed candidates by rank, optionally in some départements.
    public func candidates(targetVintage: Int, departements: [String], limit: Int?) async throws -> [(info: CommuneFacts, candidate: CandidateRecord)] {
        try await pool.read { db in
            let popYear = try Int.fetchOne(db, sql: "SELECT MAX(year) FROM population")
            let depJSON = Self.jsonArray(departements)
            let rows = try Row.fetchAll(db, sql: """
                SELECT k.*, c.name, c.dep, c.reg,
                    (SELECT SUM(pmun) FROM population p WHERE p.commune = c.code AND p.year = ?) AS population
                FROM candidate k JOIN commune c ON c.code = k.commune AND c.vintage = ? AND c.type = 'COM'
                WHERE k.listed = 1 AND (? = 0 OR c.dep IN (SELECT value FROM json_each(?)))
                ORDER BY k.rank LIMIT ?
                """, arguments: [popYear, targetVintage, departements.isEmpty ? 0 : 1, depJSON, limit ?? -1])
            return rows.map { r in
                (CommuneFacts(code: r["commune"], name: r["name"], dep: r["dep"], reg: r["reg"], population: r["population"],
                              populationYear: popYear, lat: nil, lon: nil), Self.candidate(r))
            }
        }
    }
}
