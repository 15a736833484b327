import Analysis
import GRDB
import Territory

/// Which candidates to list: by département, the N best of each, café status known or not, a page.
public struct CandidateQuery: Sendable, Equatable {
    public var departements: [String]
    /// The N best of each département.
    public var perDepartement: Int?
    /// Only those whose café status is known (true) or unknown (false).
    public var cafeKnown: Bool?
    public var limit: Int?
    public var offset: Int
    /// Whether each record carries its score breakdown; a list that shows none skips decoding
    /// them (most of a list's cost).
    public var breakdowns: Bool

    public init(
        departements: [String] = [], perDepartement: Int? = nil, cafeKnown: Bool? = nil, limit: Int? = nil,
        offset: Int = 0, breakdowns: Bool = true
    ) {
        self.departements = departements
        self.perDepartement = perDepartement
        self.cafeKnown = cafeKnown
        self.limit = limit
        self.offset = offset
        self.breakdowns = breakdowns
    }
}

/// A listed candidate with its commune's facts.
public struct ListedCandidate: Sendable {
    public var info: CommuneFacts
    public var candidate: CandidateRecord
}

extension Store {
    /// The year of the latest population loaded: a population file's year is its source's
    /// vintage, read from the few source states, not from the population rows.
    static func populationYear(_ db: Database) throws -> Int? {
        try Int.fetchOne(db, sql: "SELECT MAX(vintage) FROM source_state WHERE kind = 'population'")
    }

    /// The columns of a ``CandidateRecord`` from `candidate_status k`; without `breakdowns`, an
    /// empty breakdown (decoding them is most of a list's or a map's time). Read by position by
    /// `CandidateRecord.init(candidateColumns:from:)`: their order is its.
    static func candidateColumns(breakdowns: Bool) -> String {
        """
        k.commune, k.score, k.rank, \(breakdowns ? "k.breakdown" : "'[]' AS breakdown"), k.status, k.note,
        k.first_seen, k.last_seen, k.listed, k.cafe_known
        """
    }

    /// The kept candidate record of `commune`, listed or not.
    public func candidate(commune: CommuneCode) async throws -> CandidateRecord? {
        try await writer.read { try CandidateRecord.filter(CandidateRecord.Columns.commune == commune).fetchOne($0) }
    }

    /// Listed candidates by rank, as the query selects them.
    public func candidates(targetVintage: Int, _ query: CandidateQuery) async throws -> [ListedCandidate] {
        try await writer.read { db in
            let year = try Self.populationYear(db)
            // Filters first, then the N best of each département, then the page. Each filter is in
            // the SQL only when asked for: `(? = 0 OR …)` would keep SQLite off the indexes.
            var filters = ""
            var arguments: StatementArguments = [targetVintage]
            if !query.departements.isEmpty {
                filters += " AND c.dep IN (SELECT value FROM json_each(?))"
                arguments += [Self.jsonArray(query.departements)]
            }
            if let cafeKnown = query.cafeKnown {
                filters += " AND k.cafe_known = ?"
                arguments += [cafeKnown]
            }
            arguments += [query.perDepartement, query.perDepartement, query.limit ?? -1, query.offset, year]
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        WITH selected AS (
                            SELECT \(Self.candidateColumns(breakdowns: query.breakdowns)), c.name, c.dep, c.reg,
                                ROW_NUMBER() OVER (PARTITION BY c.dep ORDER BY k.rank) AS dep_rank
                            FROM candidate_status k
                                JOIN commune c ON c.code = k.commune AND c.vintage = ? AND c.type = 'COM'
                            WHERE k.listed = 1\(filters)),
                        page AS (
                            SELECT * FROM selected WHERE (? IS NULL OR dep_rank <= ?) ORDER BY rank LIMIT ? OFFSET ?)
                        -- Populations of the page's rows only.
                        SELECT g.*,
                            (SELECT SUM(pmun) FROM population p WHERE p.commune = g.commune AND p.year = ?) AS population
                        FROM page g ORDER BY g.rank
                        """), arguments: arguments)
            return try rows.map { r in
                ListedCandidate(
                    info: CommuneFacts(
                        code: r["commune"], name: r["name"], dep: r["dep"], reg: r["reg"], population: r["population"],
                        populationYear: year, lat: nil, lon: nil),
                    candidate: try CandidateRecord(candidateColumns: r, from: 0))
            }
        }
    }

    /// Sets the field team's status and/or note. The commune need not be listed: a note on any
    /// commune of the target geography is kept.
    public func annotate(commune: CommuneCode, status: FieldStatus?, note: String?) async throws {
        try await writer.write { db in
            let now = Store.now()
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO candidate (commune, first_seen, last_seen) VALUES (?, ?, ?)
                    """, arguments: [commune, now, now])
            if let status {
                try db.execute(sql: "UPDATE candidate SET status = ? WHERE commune = ?", arguments: [status, commune])
            }
            if let note {
                try db.execute(sql: "UPDATE candidate SET note = ? WHERE commune = ?", arguments: [note, commune])
            }
        }
    }

    /// The features of every listed candidate (the gated communes of the last analysis), rebuilt
    /// from their saved breakdowns: what `validate` and `calibrate` rank.
    /// - Throws: `StoreError` when no analysis saved them.
    public func candidateFeatures() async throws -> [CandidateFeatures] {
        let features = try await writer.read { db in
            try CandidateRecord.filter(CandidateRecord.Columns.listed == true).order(CandidateRecord.Columns.commune)
                .fetchAll(db)
                .compactMap { CandidateFeatures(commune: $0.commune, cafeKnown: $0.cafeKnown, breakdown: $0.breakdown) }
        }
        guard !features.isEmpty else {
            throw StoreError(path: path, message: "no scored candidates: run `ruralmapd analyze` first")
        }
        return features
    }
}
