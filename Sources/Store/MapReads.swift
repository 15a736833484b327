import GRDB

/// What drawing a map of some communes needs before the first shape: their extent and the ranks
/// of the candidates among them (to class candidates by rank within the selection).
public struct MapSelection: Sendable {
    /// Communes of the target geography in the selection.
    public var communes: Int
    /// South-west and north-east corners of every contour and centroid of the selection, in
    /// degrees; nil when none is loaded.
    public var bounds: (minLat: Double, minLon: Double, maxLat: Double, maxLon: Double)?
    /// Ranks of the listed candidates of the selection, ascending.
    public var candidateRanks: [Int]
}

/// A département of the target geography, for pickers.
public struct DepartementSummary: Sendable, Equatable, Codable {
    public var code: String
    public var communes: Int
    public var candidates: Int
}

extension Store {
    /// The extent and candidate ranks of the communes of `departements` (all when empty).
    public func mapSelection(targetVintage: Int, departements: [String]) async throws -> MapSelection {
        try await writer.read { db in
            let scope = """
                c.vintage = ? AND c.type = 'COM' AND (? = 0 OR c.dep IN (SELECT value FROM json_each(?)))
                """
            let depArguments: StatementArguments = [
                targetVintage, departements.isEmpty ? 0 : 1, Self.jsonArray(departements),
            ]
            let communes =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM commune c WHERE \(scope)", arguments: depArguments) ?? 0
            let box = try Row.fetchOne(
                db,
                sql: """
                    SELECT MIN(a), MIN(b), MAX(x), MAX(y) FROM (
                        SELECT t.min_lat AS a, t.min_lon AS b, t.max_lat AS x, t.max_lon AS y
                        FROM contour t JOIN commune c ON c.code = t.commune WHERE \(scope)
                        UNION ALL
                        SELECT e.lat, e.lon, e.lat, e.lon FROM centroid e JOIN commune c ON c.code = e.commune
                        WHERE \(scope))
                    """, arguments: depArguments + depArguments)
            let ranks = try Int.fetchAll(
                db,
                sql: """
                    SELECT k.rank FROM candidate_status k JOIN commune c ON c.code = k.commune
                    WHERE k.listed = 1 AND k.rank IS NOT NULL AND \(scope) ORDER BY k.rank
                    """, arguments: depArguments)
            var bounds: (Double, Double, Double, Double)?
            if let box, let a: Double = box[0], let b: Double = box[1], let x: Double = box[2], let y: Double = box[3] {
                bounds = (a, b, x, y)
            }
            return MapSelection(communes: communes, bounds: bounds, candidateRanks: ranks)
        }
    }

    /// The départements of the target geography with their commune and candidate counts.
    public func departements(targetVintage: Int) async throws -> [DepartementSummary] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.dep, COUNT(*) AS communes, COUNT(k.commune) AS candidates
                    FROM commune c LEFT JOIN candidate_status k ON k.commune = c.code AND k.listed = 1
                    WHERE c.vintage = ? AND c.type = 'COM' AND c.dep IS NOT NULL GROUP BY c.dep ORDER BY c.dep
                    """, arguments: [targetVintage]
            ).map { DepartementSummary(code: $0[0], communes: $0[1], candidates: $0[2]) }
        }
    }
}
