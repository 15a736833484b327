import GRDB

/// How many sites of a category a source counted in a commune for a vintage.
public struct ServiceCount: Sendable, Equatable, Codable {
    public var category: String
    public var vintage: Int
    public var source: String
    public var kind: String?
    public var count: Int
}

extension Store {
    /// The service inventory of a target commune: per category, vintage, source (and kind).
    /// BPE counts come from equipment; Sirene and OSM from their active sites.
    public func services(commune: String) async throws -> [ServiceCount] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.category, e.vintage, e.source, c.kind, SUM(e.count) AS n
                    FROM equipment e JOIN category_code c ON c.source_kind = 'bpe' AND c.code = e.type
                        AND (c.vintage_from IS NULL OR e.vintage >= c.vintage_from) AND (c.vintage_to IS NULL OR e.vintage <= c.vintage_to)
                    WHERE e.commune = ?
                    GROUP BY c.category, e.vintage, e.source, c.kind
                    UNION ALL
                    SELECT c.category, s.vintage, s.source, c.kind, COUNT(*) AS n
                    FROM site s JOIN source_state st ON st.source = s.source AND st.kind IN ('sirene', 'osm')
                        JOIN category_code c ON c.source_kind = st.kind AND c.code = s.type
                    WHERE s.commune = ? AND s.active = 1
                    GROUP BY c.category, s.vintage, s.source, c.kind
                    ORDER BY 1, 2, 3, 4
                    """, arguments: [commune, commune]
            ).map {
                ServiceCount(
                    category: $0["category"], vintage: $0["vintage"], source: $0["source"], kind: $0["kind"],
                    count: $0["n"])
            }
        }
    }
}
