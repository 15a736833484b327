import Analysis
import Catalog
import GRDB
import Territory

/// A commune of the target geography with its reference facts.
public struct CommuneInfo: Sendable, Codable, Equatable {
    public var code: CommuneCode
    public var name: String
    public var type: CommuneType
    public var dep: String?
    public var reg: String?
    public var parent: CommuneCode?
    public var population: Int?
    public var populationYear: Int?
    public var lat: Double?
    public var lon: Double?
}

/// A former commune (déléguée / associée) of a commune nouvelle.
public struct FormerCommune: Sendable, Codable, Equatable, FetchableRecord {
    public var code: CommuneCode
    public var name: String
    public var type: CommuneType
}

/// How many sites of a category a source counted in a commune for a vintage.
public struct ServiceCount: Sendable, Equatable, Codable, FetchableRecord {
    public var category: ServiceCategory
    public var vintage: Int
    public var source: String
    public var kind: ServiceCategory.Kind?
    public var count: Int
}

extension CommuneType: DatabaseValueConvertible {}

extension Store {
    /// The commune `code` of the target geography (any type: COM, COMD, COMA, ARM), with its
    /// population (latest year loaded) and centroid; nil when unknown.
    public func commune(_ code: CommuneCode, targetVintage: Int) async throws -> CommuneInfo? {
        try await writer.read { try Self.commune(code, targetVintage: targetVintage, $0) }
    }

    static func commune(_ code: CommuneCode, targetVintage: Int, _ db: Database) throws -> CommuneInfo? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT code, name, type, dep, reg, parent FROM commune WHERE vintage = ? AND code = ?
                        ORDER BY CASE type WHEN 'COM' THEN 0 WHEN 'ARM' THEN 1 ELSE 2 END LIMIT 1
                        """), arguments: [targetVintage, code])
        else { return nil }
        var info = CommuneInfo(
            code: row["code"], name: row["name"], type: row["type"], dep: row["dep"], reg: row["reg"],
            parent: row["parent"])
        // A commune sums its translated rows; an arrondissement is its own row.
        let column = info.type == .commune ? "commune" : "code"
        guard info.type == .commune || info.type == .arrondissement else { return info }
        if let year = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT MAX(year) FROM population WHERE \(column) = ?"), arguments: [code])
        {
            info.populationYear = year
            info.population = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT SUM(pmun) FROM population WHERE \(column) = ? AND year = ?"),
                arguments: [code, year])
        }
        if let c = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT lat, lon FROM centroid WHERE \(column) = ? ORDER BY code = ? DESC LIMIT 1"),
            arguments: [code, code])
        {
            info.lat = c["lat"]
            info.lon = c["lon"]
        }
        return info
    }

    /// Former communes (déléguées, associées) whose parent is `code` in the target COG.
    static func formerCommunes(of code: CommuneCode, targetVintage: Int, _ db: Database) throws -> [FormerCommune] {
        try FormerCommune.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT code, name, type FROM commune
                    WHERE vintage = ? AND parent = ? AND type IN ('COMD','COMA') ORDER BY code
                    """), arguments: [targetVintage, code])
    }

    /// The service inventory of a target commune: per category, vintage, source (and kind).
    /// BPE counts come from equipment; Sirene and OSM from their active sites.
    static func services(commune: CommuneCode, _ db: Database) throws -> [ServiceCount] {
        try ServiceCount.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT c.category, e.vintage, e.source, c.kind, SUM(e.count) AS count
                    FROM equipment e \(categoryJoin("e", kind: "'bpe'"))
                    WHERE e.commune = ?
                    GROUP BY c.category, e.vintage, e.source, c.kind
                    UNION ALL
                    SELECT c.category, s.vintage, s.source, c.kind, COUNT(*) AS count
                    FROM site s CROSS JOIN source_state st ON st.source = s.source AND st.kind IN ('sirene', 'osm')
                        \(categoryJoin("s", kind: "st.kind"))
                    WHERE s.commune = ? AND s.active = 1
                    GROUP BY c.category, s.vintage, s.source, c.kind
                    ORDER BY 1, 2, 3, 4
                    """), arguments: [commune, commune])
    }

    /// The commune's loss flags, by category.
    public func flags(commune: CommuneCode) async throws -> [FlagRecord] {
        try await writer.read { try Self.flags(commune: commune, $0) }
    }

    static func flags(commune: CommuneCode, _ db: Database) throws -> [FlagRecord] {
        // Cached statements: the card is the API's most asked answer, and preparing is most of a point read.
        try FlagRecord.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM flag WHERE commune = ? ORDER BY category"), arguments: [commune])
    }

    /// The commune's distances and catchments, by category.
    public func access(commune: CommuneCode) async throws -> [AccessRecord] {
        try await writer.read { try Self.access(commune: commune, $0) }
    }

    static func access(commune: CommuneCode, _ db: Database) throws -> [AccessRecord] {
        try AccessRecord.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM access WHERE commune = ? ORDER BY category"), arguments: [commune])
    }

    /// Whether a café source covered `commune` in the last analysis.
    static func isCafeKnown(commune: CommuneCode, _ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM cafe_known WHERE commune = ?)"),
            arguments: [commune]) ?? false
    }

    /// Everything the commune card shows, read in one transaction (one consistent snapshot, one
    /// trip to a reader): nil when `code` is not a commune of the target geography.
    public func communeRecords(_ code: CommuneCode, targetVintage: Int) async throws -> CommuneRecords? {
        try await writer.read { db in
            guard let info = try Self.commune(code, targetVintage: targetVintage, db) else { return nil }
            return CommuneRecords(
                info: info, flags: try Self.flags(commune: info.code, db),
                access: try Self.access(commune: info.code, db),
                candidate: try CandidateRecord.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM candidate_status WHERE commune = ?"), arguments: [info.code]),
                cafeKnown: try Self.isCafeKnown(commune: info.code, db),
                services: try Self.services(commune: info.code, db),
                formerCommunes: try Self.formerCommunes(of: info.code, targetVintage: targetVintage, db))
        }
    }
}

/// What the commune card shows, as the store holds it.
public struct CommuneRecords: Sendable {
    public var info: CommuneInfo
    public var flags: [FlagRecord]
    public var access: [AccessRecord]
    public var candidate: CandidateRecord?
    public var cafeKnown: Bool
    public var services: [ServiceCount]
    public var formerCommunes: [FormerCommune]
}
