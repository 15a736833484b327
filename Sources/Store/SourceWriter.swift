import GRDB
import Territory

/// Writes one source's rows inside the transaction that replaces its previous data.
///
/// Obtained from ``Store/replaceData(_:_:)``; valid only inside that call. Each kind of row has
/// its statement, taken from GRDB's statement cache once per load, not once per row.
public final class SourceWriter {
    let db: Database
    let source: String
    let vintage: Int

    init(db: Database, source: String, vintage: Int) {
        self.db = db
        self.source = source
        self.vintage = vintage
    }

    private func statement(_ sql: String) throws -> Statement { try db.cachedStatement(sql: sql) }

    private lazy var communeInsert = Result {
        try statement(
            """
            INSERT OR REPLACE INTO commune (source, vintage, type, code, name, dep, reg, parent)
            VALUES (?,?,?,?,?,?,?,?)
            """)
    }
    private lazy var mouvementInsert = Result {
        try statement(
            """
            INSERT INTO mouvement (source, mod, date_eff, type_av, code_av, name_av, type_ap, code_ap, name_ap)
            VALUES (?,?,?,?,?,?,?,?,?)
            """)
    }
    private lazy var populationInsert = Result {
        try statement("INSERT INTO population (source, year, code, commune, pmun, pcap, ptot) VALUES (?,?,?,?,?,?,?)")
    }
    private lazy var centroidInsert = Result {
        try statement("INSERT INTO centroid (source, code, commune, name, lat, lon) VALUES (?,?,?,?,?,?)")
    }
    private lazy var contourInsert = Result {
        try statement(
            """
            INSERT INTO contour (source, code, commune, name, geometry, min_lat, min_lon, max_lat, max_lon)
            VALUES (?,?,?,?,?,?,?,?,?)
            """)
    }
    private lazy var equipmentInsert = Result {
        try statement("INSERT INTO equipment (source, vintage, code, commune, type, count) VALUES (?,?,?,?,?,?)")
    }
    private lazy var siteInsert = Result {
        try statement(
            """
            INSERT INTO site (source, vintage, code, commune, type, ext_id, name, lat, lon, usable, opened, closed,
                active, non_diffusible, method)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """)
    }

    private func run(_ statement: Result<Statement, any Error>, _ arguments: StatementArguments) throws {
        let s = try statement.get()
        s.setUncheckedArguments(arguments)
        try s.execute()
    }

    public func commune(
        type: CommuneType, code: CommuneCode, name: String, dep: String?, reg: String?, parent: CommuneCode?
    ) throws {
        try run(communeInsert, [source, vintage, type, code, name, dep, reg, parent])
    }

    public func mouvement(
        mod: Int, date: String, typeBefore: String, codeBefore: String, nameBefore: String,
        typeAfter: String, codeAfter: String, nameAfter: String
    ) throws {
        try run(
            mouvementInsert, [source, mod, date, typeBefore, codeBefore, nameBefore, typeAfter, codeAfter, nameAfter])
    }

    public func population(code: CommuneCode, commune: CommuneCode?, pmun: Int, pcap: Int?, ptot: Int?) throws {
        try run(populationInsert, [source, vintage, code, commune, pmun, pcap, ptot])
    }

    public func centroid(code: CommuneCode, commune: CommuneCode?, name: String?, lat: Double, lon: Double) throws {
        try run(centroidInsert, [source, code, commune, name, lat, lon])
    }

    public func contour(
        code: CommuneCode, commune: CommuneCode?, name: String?, geometry: String,
        minLat: Double, minLon: Double, maxLat: Double, maxLon: Double
    ) throws {
        try run(contourInsert, [source, code, commune, name, geometry, minLat, minLon, maxLat, maxLon])
    }

    public func equipment(code: CommuneCode, commune: CommuneCode?, type: String, count: Int) throws {
        try run(equipmentInsert, [source, vintage, code, commune, type, count])
    }

    public func site(
        code: CommuneCode?, commune: CommuneCode?, type: String, externalID: String, name: String?, lat: Double?,
        lon: Double?, usable: Bool, opened: String?, closed: String?, active: Bool, nonDiffusible: Bool,
        method: LocationMethod?
    ) throws {
        try run(
            siteInsert,
            [
                source, vintage, code, commune, type, externalID, name, lat, lon, usable, opened, closed, active,
                nonDiffusible, method,
            ])
    }
}

/// How a site was placed in its commune.
public enum LocationMethod: String, Sendable, Codable, DatabaseValueConvertible {
    /// By the commune code the source gives.
    case code
    /// By point in polygon, in the commune's contour.
    case contour
    /// By the nearest commune centroid (no contour loaded there).
    case nearestCentroid = "nearest-centroid"
}

extension Store {
    /// Every table holding per-source rows; a reload replaces a source's rows in all of them.
    static let sourceTables = ["commune", "mouvement", "population", "centroid", "contour", "equipment", "site"]

    /// Replaces the source's data in one transaction: its old rows go, `body` writes the new ones,
    /// the run is recorded as loaded and `state` (its `coverage` taken from the outcome) becomes
    /// what the source holds. If `body` throws, nothing changes (the old data stays) and the error
    /// propagates; the caller records the failure.
    public func replaceData(
        _ state: SourceState, _ body: @escaping @Sendable (SourceWriter) throws -> RunOutcome
    ) async throws -> RunOutcome {
        try await writer.write { db in
            for table in Self.sourceTables {
                try db.execute(sql: "DELETE FROM \(table) WHERE source = ?", arguments: [state.source])
            }
            let outcome = try body(SourceWriter(db: db, source: state.source, vintage: state.vintage ?? 0))
            try Self.finish(db, state.runId, outcome)
            var loaded = state
            loaded.coverage = outcome.coverage?.description
            loaded.loadedAt = Store.now()
            try loaded.save(db)
            return outcome
        }
    }
}
