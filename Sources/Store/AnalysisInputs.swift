import Analysis
import Catalog
import Formats
import GRDB
import Geo
import Territory

extension Store {
    /// Reads the analysis inputs for `targetVintage` in one read transaction.
    public func analysisInputs(targetVintage: Int) async throws -> AnalysisInputs {
        try await writer.read { db in
            let communes = try Self.communeFacts(db, targetVintage: targetVintage)
            let rules = try CategoryRule.fetchAll(db)
            var categories: [ServiceCategory] = []
            for rule in rules where !categories.contains(rule.category) { categories.append(rule.category) }
            func categoriesOf(_ kind: SourceKind, vintage: Int? = nil) -> Set<ServiceCategory> {
                Set(rules.filter { $0.sourceKind == kind && (vintage.map($0.applies(to:)) ?? true) }.map(\.category))
            }

            // Communes and categories by position: the counts and sites name them so.
            let communePosition = Dictionary(
                uniqueKeysWithValues: communes.enumerated().map { ($0.element.code, Int32($0.offset)) })
            precondition(categories.count <= Int(UInt16.max) + 1, "categories are named by a 16-bit position")
            let categoryPosition = Dictionary(
                uniqueKeysWithValues: categories.enumerated().map { ($0.element, UInt16($0.offset)) })
            var countSources: [SourceVintage: CountSource] = [:]
            for current in try GenerationTable.equipment.current(db) {
                let key = SourceVintage(source: current.source, vintage: current.vintage)
                let kind = current.sourceKind
                countSources[key] = CountSource(
                    kind: kind, categories: categoriesOf(kind, vintage: key.vintage),
                    describes: try Self.describedCommunes(db, source: key.source, communes: communes),
                    counts: try Self.countFacts(
                        db, table: current.table, communes: communePosition, categories: categoryPosition))
            }
            var siteCoverage: [String: Set<CommuneCode>] = [:]
            for state in try SourceState.filter(sql: "kind IN ('sirene', 'osm') AND coverage != 'national'").fetchAll(
                db)
            {
                siteCoverage[state.source] = try Self.describedCommunes(db, source: state.source, communes: communes)
            }
            let siteSources = try Self.siteSources(
                db, communes: communePosition, categories: categoryPosition, coverage: siteCoverage)
            return AnalysisInputs(
                communes: communes, categories: categories, countSources: countSources, siteSources: siteSources,
                facilityPositions: try Self.facilityPositions(db),
                siteCategories: [.sirene: categoriesOf(.sirene), .osm: categoriesOf(.osm)])
        }
    }

    /// The BPE counts of mapped categories in communes of the target geography, in `table`, one
    /// current generation's.
    ///
    /// The analysis reads each current generation table in turn (``GenerationTable/current(_:)``),
    /// as it does the sites: through the view, a union of those tables, every row went through
    /// one more copy (national counts and sites read in 0.6 s more).
    private static func countFacts(
        _ db: Database, table: String, communes: [CommuneCode: Int32], categories: [ServiceCategory: UInt16]
    ) throws -> [CountFact] {
        var counts: [CountFact] = []
        // A cursor, not every row at once (the rows of a national BPE would briefly take more
        // memory than the facts made of them), and positional columns: no per-row dictionary.
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT e.commune, c.category, c.kind, SUM(e.count) AS n
                FROM (\(GenerationTable.equipment.rows(in: table))) e \(Self.categoryJoin("e", kind: "'bpe'"))
                -- Most rows are of types no category maps: dropped by one lookup each first.
                WHERE e.commune IS NOT NULL
                    AND e.type IN (SELECT cc.code FROM category_code cc WHERE cc.source_kind = 'bpe')
                GROUP BY e.commune, c.category, c.kind
                """)
        while let r = try rows.next() {
            guard let commune = communes[r[0]], let category = categories[r[1]] else { continue }
            let kind: ServiceCategory.Kind? = r[2]
            counts.append(
                CountFact(commune: commune, category: category, level: UInt8(kind?.level ?? 0), count: r[3]))
        }
        return counts
    }

    /// The communes of the target geography with their two latest populations and their centroid.
    private static func communeFacts(_ db: Database, targetVintage: Int) throws -> [CommuneFacts] {
        // The two latest population years: the latest for the gates, both for the trend.
        let years = try Int.fetchAll(db, sql: "SELECT DISTINCT year FROM population ORDER BY year DESC LIMIT 2")
        var population: [Int: [CommuneCode: Int]] = [:]
        for year in years {
            for r in try Row.fetchAll(
                db,
                sql:
                    """
                    SELECT commune, SUM(pmun) AS p FROM population
                    WHERE year = ? AND commune IS NOT NULL GROUP BY commune
                    """,
                arguments: [year])
            {
                population[year, default: [:]][r["commune"]] = r["p"]
            }
        }
        let latestYear = years.first
        let previousYear = years.dropFirst().first
        var centroid: [CommuneCode: (Double, Double)] = [:]
        for r in try Row.fetchAll(
            db,
            sql:
                """
                SELECT commune, lat, lon, code = commune AS exact FROM centroid
                WHERE commune IS NOT NULL ORDER BY exact
                """
        ) {
            centroid[r["commune"]] = (r["lat"], r["lon"])  // exact matches come last and win
        }
        return try Row.fetchAll(
            db, sql: "SELECT code, name, dep, reg FROM commune WHERE vintage = ? AND type = 'COM' ORDER BY code",
            arguments: [targetVintage]
        ).map { r in
            let code: CommuneCode = r["code"]
            let latest = latestYear.flatMap { population[$0]?[code] }
            let previous = previousYear.flatMap { population[$0]?[code] }
            return CommuneFacts(
                code: code, name: r["name"], dep: r["dep"], reg: r["reg"], population: latest,
                populationYear: latest == nil ? nil : latestYear, previousPopulation: previous,
                previousPopulationYear: previous == nil ? nil : previousYear, lat: centroid[code]?.0,
                lon: centroid[code]?.1)
        }
    }

    /// Every mapped Sirene and OSM site, by source, with the communes each source covers
    /// (`coverage`, by source name; every commune for a source it does not name).
    private static func siteSources(
        _ db: Database, communes: [CommuneCode: Int32], categories: [ServiceCategory: UInt16],
        coverage: [String: Set<CommuneCode>]
    ) throws -> [SourceVintage: SiteSource] {
        var sources: [SourceVintage: SiteSource] = [:]
        // A cursor and positional columns: hundreds of thousands of rows, no per-row dictionary.
        for current in try GenerationTable.site.current(db) where current.sourceKind != .bpe {
            var source = SiteSource(kind: current.sourceKind, coverage: coverage[current.source], sites: [])
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT s.commune, c.category, c.kind, s.lat, s.lon, s.usable, s.active, s.opened, s.closed
                    FROM \(current.table) s \(Self.categoryJoin("s", kind: "?"))
                    """, arguments: [current.sourceKind.rawValue])
            while let r = try rows.next() {
                guard let category = categories[r[1]] else { continue }
                let commune: CommuneCode? = r[0]
                let kind: ServiceCategory.Kind? = r[2]
                let lat: Double? = r[3]
                let lon: Double? = r[4]
                source.sites.append(
                    SiteFact(
                        position: lat.flatMap { lat in lon.map { Coordinate(lat: lat, lon: $0) } },
                        commune: commune.flatMap { communes[$0] }, opened: (r[7] as String?).flatMap(DayText.number),
                        closed: (r[8] as String?).flatMap(DayText.number),
                        category: category, level: UInt8(kind?.level ?? 0), usable: r[5], active: r[6]))
            }
            // A source without a mapped site is no source of sites, as before the tables.
            if !source.sites.isEmpty {
                sources[SourceVintage(source: current.source, vintage: current.vintage)] = source
            }
        }
        return sources
    }

    /// The positions of the BPE facilities usable for distances (not a poor or randomised
    /// geolocation), by source and category.
    private static func facilityPositions(_ db: Database) throws -> [SourceVintage: [ServiceCategory: [Coordinate]]] {
        var positions: [SourceVintage: [ServiceCategory: [Coordinate]]] = [:]
        // A cursor and positional columns, as for the sites: a million rows at national scale.
        for current in try GenerationTable.site.current(db) where current.sourceKind == .bpe {
            var byCategory: [ServiceCategory: [Coordinate]] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT c.category, s.lat, s.lon
                    FROM \(current.table) s \(Self.categoryJoin("s", kind: "'bpe'"))
                    WHERE s.usable = 1 AND s.lat IS NOT NULL AND s.lon IS NOT NULL
                    """)
            while let r = try rows.next() { byCategory[r[0], default: []].append(Coordinate(lat: r[1], lon: r[2])) }
            if !byCategory.isEmpty {
                positions[SourceVintage(source: current.source, vintage: current.vintage)] = byCategory
            }
        }
        return positions
    }
}
