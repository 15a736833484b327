import Analysis
import GRDB

extension Store {
    /// Reads the analysis inputs for `targetVintage` in one read transaction.
    public func analysisInputs(targetVintage: Int) async throws -> AnalysisInputs {
        try await pool.read { db in
            // The two latest population years: the latest for the gates, both for the trend.
            let years = try Int.fetchAll(db, sql: "SELECT DISTINCT year FROM population ORDER BY year DESC LIMIT 2")
            var population: [Int: [String: Int]] = [:]
            for year in years {
                for r in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT commune, SUM(pmun) AS p FROM population WHERE year = ? AND commune IS NOT NULL GROUP BY commune
                        """, arguments: [year])
                {
                    population[year, default: [:]][r["commune"]] = r["p"]
                }
            }
            let popYear = years.first
            let previousYear = years.dropFirst().first
            var centroid: [String: (Double, Double)] = [:]
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT commune, lat, lon, code = commune AS exact FROM centroid WHERE commune IS NOT NULL ORDER BY exact
                    """)
            { centroid[r["commune"]] = (r["lat"], r["lon"]) }  // exact matches come last and win
            let communes = try Row.fetchAll(
                db, sql: "SELECT code, name, dep, reg FROM commune WHERE vintage = ? AND type = 'COM' ORDER BY code",
                arguments: [targetVintage]
            ).map { r -> CommuneFacts in
                let code: String = r["code"]
                let latest = popYear.flatMap { population[$0]?[code] }
                let previous = previousYear.flatMap { population[$0]?[code] }
                return CommuneFacts(
                    code: code, name: r["name"], dep: r["dep"], reg: r["reg"], population: latest,
                    populationYear: latest == nil ? nil : popYear, previousPopulation: previous,
                    previousPopulationYear: previous == nil ? nil : previousYear, lat: centroid[code]?.0,
                    lon: centroid[code]?.1)
            }
            let rules = try Row.fetchAll(db, sql: "SELECT * FROM category_code")
            var categories: [String] = []
            for r in rules {
                let c: String = r["category"]
                if !categories.contains(c) { categories.append(c) }
            }

            var countSources: [String: (String, Int, String)] = [:]
            for r in try Row.fetchAll(
                db,
                sql:
                    "SELECT DISTINCT e.source, e.vintage, st.kind FROM equipment e JOIN source_state st ON st.source = e.source"
            ) {
                countSources["\(r["source"] as String)|\(r["vintage"] as Int)"] = (r["kind"], r["vintage"], r["source"])
            }
            var countCoverage: [String: Set<String>] = [:]
            for (key, source) in countSources {
                countCoverage[key] = try Self.describedCommunes(db, source: source.2, communes: communes)
            }
            let counts = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.source, e.vintage, e.commune, c.category, c.kind, SUM(e.count) AS n
                    FROM equipment e JOIN category_code c ON c.source_kind = 'bpe' AND c.code = e.type
                        AND (c.vintage_from IS NULL OR e.vintage >= c.vintage_from) AND (c.vintage_to IS NULL OR e.vintage <= c.vintage_to)
                    WHERE e.commune IS NOT NULL
                    GROUP BY e.source, e.vintage, e.commune, c.category, c.kind
                    """
            ).map {
                CountFact(
                    source: $0["source"], vintage: $0["vintage"], commune: $0["commune"], category: $0["category"],
                    kind: $0["kind"], count: $0["n"])
            }
            var coverage: [String: Set<String>] = [:]
            for (key, value) in countSources {
                let vintage = value.1
                let covered = rules.filter {
                    ($0["source_kind"] as String) == value.0 && (($0["vintage_from"] as Int?) ?? Int.min) <= vintage
                        && (($0["vintage_to"] as Int?) ?? Int.max) >= vintage
                }.map { $0["category"] as String }
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
            let siteRows = try Row.fetchCursor(
                db,
                sql: "SELECT s.source, st.kind, s.vintage, s.commune, c.category, c.kind, "
                    + "s.lat, s.lon, s.usable, s.active, s.opened, s.closed " + siteQuery)
            while let r = try siteRows.next() {
                sites.append(
                    SiteFact(
                        source: r[0], sourceKind: r[1], vintage: r[2], commune: r[3], category: r[4], kind: r[5],
                        lat: r[6], lon: r[7],
                        usable: r[8], active: r[9], opened: r[10], closed: r[11]))
            }
            let sourceRules = Dictionary(grouping: rules) { $0["source_kind"] as String }.mapValues {
                Set($0.map { $0["category"] as String })
            }
            for kind in ["sirene", "osm"] { coverage[kind] = sourceRules[kind] ?? [] }
            return AnalysisInputs(
                communes: communes, categories: categories, coverage: coverage, counts: counts,
                countCoverage: countCoverage,
                sites: sites, countSources: countSources.mapValues { (kind: $0.0, vintage: $0.1, source: $0.2) })
        }
    }
}
