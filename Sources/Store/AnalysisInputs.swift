import GRDB

/// Facts about one commune of the target geography.
public struct CommuneFacts: Sendable {
    public var code: String
    public var name: String
    public var dep: String?
    public var reg: String?
    public var population: Int?
    public var populationYear: Int?
    public var lat: Double?
    public var lon: Double?
}

/// Category counts of one commune by one count source (BPE) for one vintage.
public struct CountFact: Sendable {
    public var source: String
    public var vintage: Int
    public var commune: String
    public var category: String
    public var kind: String?
    public var count: Int
}

/// One mapped site (facility, establishment, OSM object).
public struct SiteFact: Sendable {
    public var source: String
    public var sourceKind: String
    public var vintage: Int
    public var commune: String?
    public var category: String
    public var kind: String?
    public var lat: Double?
    public var lon: Double?
    public var usable: Bool
    public var active: Bool
    public var opened: String?
    public var closed: String?
}

/// Everything the analysis reads, in one consistent snapshot of the store.
public struct AnalysisInputs: Sendable {
    public var communes: [CommuneFacts]
    public var categories: [String]
    /// Categories each source kind can see in each vintage: `"bpe|2013"` → categories.
    public var coverage: [String: Set<String>]
    public var counts: [CountFact]
    /// Communes each count source's vintage (`"source|vintage"`) describes: those of the territory
    /// it covers (a commune there without a row has none of its facilities); others are unknown.
    public var countCoverage: [String: Set<String>]
    public var sites: [SiteFact]
    /// Count sources per vintage: `"source|vintage"` → kind.
    public var countSources: [String: (kind: String, vintage: Int, source: String)]
}

extension Store {
    /// Reads the analysis inputs for `targetVintage` in one read transaction.
    public func analysisInputs(targetVintage: Int) async throws -> AnalysisInputs {
        try await pool.read { db in
            let popYear = try Int.fetchOne(db, sql: "SELECT MAX(year) FROM population")
            var population: [String: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT commune, SUM(pmun) AS p FROM population WHERE year = ? AND commune IS NOT NULL GROUP BY commune", arguments: [popYear]) {
                population[r["commune"]] = r["p"]
            }
            var centroid: [String: (Double, Double)] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT commune, lat, lon, code = commune AS exact FROM centroid WHERE commune IS NOT NULL ORDER BY exact
                """) { centroid[r["commune"]] = (r["lat"], r["lon"]) } // exact matches come last and win
            let communes = try Row.fetchAll(db, sql: "SELECT code, name, dep, reg FROM commune WHERE vintage = ? AND type = 'COM' ORDER BY code", arguments: [targetVintage]).map { r -> CommuneFacts in
                let code: String = r["code"]
                return CommuneFacts(code: code, name: r["name"], dep: r["dep"], reg: r["reg"], population: population[code],
                                    populationYear: population[code] == nil ? nil : popYear, lat: centroid[code]?.0, lon: centroid[code]?.1)
            }
            let rules = try Row.fetchAll(db, sql: "SELECT * FROM category_code")
            var categories: [String] = []
            for r in rules { let c: String = r["category"]; if !categories.contains(c) { categories.append(c) } }

            var countSources: [String: (String, Int, String)] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT DISTINCT e.source, e.vintage, st.kind FROM equipment e JOIN source_state st ON st.source = e.source") {
                countSources["\(r["source"] as String)|\(r["vintage"] as Int)"] = (r["kind"], r["vintage"], r["source"])
            }
            var countCoverage: [String: Set<String>] = [:]
            for (key, source) in countSources {
                countCoverage[key] = try Self.describedCommunes(db, source: source.2, communes: communes)
            }
            let counts = try Row.fetchAll(db, sql: """
                SELECT e.source, e.vintage, e.commune, c.category, c.kind, SUM(e.count) AS n
                FROM equipment e JOIN category_code c ON c.source_kind = 'bpe' AND c.code = e.type
                    AND (c.vintage_from IS NULL OR e.vintage >= c.vintage_from) AND (c.vintage_to IS NULL OR e.vintage <= c.vintage_to)
                WHERE e.commune IS NOT NULL
                GROUP BY e.source, e.vintage, e.commune, c.category, c.kind
                """).map { CountFact(source: $0["source"], vintage: $0["vintage"], commune: $0["commune"], category: $0["category"], kind: $0["kind"], count: $0["n"]) }
            var coverage: [String: Set<String>] = [:]
            for (key, value) in countSources {
                let vintage = value.1
                let covered = rules.filter { ($0["source_kind"] as String) == value.0 && (($0["vintage_from"] as Int?) ?? Int.min) <= vintage
                    && (($0["vintage_to"] as Int?) ?? Int.max) >= vintage }.map { $0["category"] as String }
                coverage[key] = Set(covered)
            }
            // A cursor and positional columns: hundreds of thousands of rows, no per-row dictionary.
            let siteQuery = """
                FROM site s JOIN source_state st ON st.source = s.source
                    JOIN category_code c ON c.source_kind = st.kind AND c.code = s.type
                    AND (c.vintage_from IS NULL OR s.vintage >= c.vintage_from) AND (c.vintage_to IS NULL OR s.vintage <= c.vintage_to)
                -- BPE presence comes from its counts: its sites matter only where they can place a distance.
                WHERE st.kind != 'bpe' OR (s.usable = 1 AND s.lat IS NOT NULL)
                """
            var sites: [SiteFact] = []
            // Sized once: growing by doubling would briefly hold two copies of the largest input.
            sites.reserveCapacity(try Int.fetchOne(db, sql: "SELECT COUNT(*) " + siteQuery) ?? 0)
            let siteRows = try Row.fetchCursor(db, sql: "SELECT s.source, st.kind, s.vintage, s.commune, c.category, c.kind, "
                + "s.lat, s.lon, s.usable, s.active, s.opened, s.closed " + siteQuery)
            while let r = try siteRows.next() {
                sites.append(SiteFact(source: r[0], sourceKind: r[1], vintage: r[2], commune: r[3], category: r[4], kind: r[5], lat: r[6], lon: r[7],
                                      usable: r[8], active: r[9], opened: r[10], closed: r[11]))
            }
            let sourceRules = Dictionary(grouping: rules) { $0["source_kind"] as String }.mapValues { Set($0.map { $0["category"] as String }) }
            for kind in ["sirene", "osm"] { coverage[kind] = sourceRules[kind] ?? [] }
            return AnalysisInputs(communes: communes, categories: categories, coverage: coverage, counts: counts, countCoverage: countCoverage,
                                  sites: sites, countSources: countSources.mapValues { (kind: $0.0, vintage: $0.1, source: $0.2) })
        }
    }
}
