import GRDB

/// Writes one source's rows inside the transaction that replaces its previous data.
///
/// Obtained from ``Store/replaceData(source:vintage:runID:state:_:)``; valid only inside that call.
public final class SourceWriter {
    let db: Database
    let source: String
    let vintage: Int

    init(db: Database, source: String, vintage: Int) {
        self.db = db
        self.source = source
        self.vintage = vintage
    }

    private var cache: [UInt: Statement] = [:]

    /// Runs one insert; statements are prepared once per SQL literal (keyed by its address, so the
    /// hot path never hashes the SQL text).
    private func run(_ sql: StaticString, _ arguments: StatementArguments) throws {
        let key = UInt(bitPattern: sql.utf8Start)
        let statement: Statement
        if let s = cache[key] {
            statement = s
        } else {
            statement = try db.makeStatement(sql: sql.description)
            cache[key] = statement
        }
        statement.setUncheckedArguments(arguments)
        try statement.execute()
    }

    public func commune(type: String, code: String, name: String, dep: String?, reg: String?, parent: String?) throws {
        try run(
            "INSERT OR REPLACE INTO commune (source, vintage, type, code, name, dep, reg, parent) VALUES (?,?,?,?,?,?,?,?)",
            [source, vintage, type, code, name, dep, reg, parent])
    }

    public func mouvement(
        mod: Int, date: String, typeBefore: String, codeBefore: String, nameBefore: String,
        typeAfter: String, codeAfter: String, nameAfter: String
    ) throws {
        try run(
            "INSERT INTO mouvement (source, mod, date_eff, type_av, code_av, name_av, type_ap, code_ap, name_ap) VALUES (?,?,?,?,?,?,?,?,?)",
            [source, mod, date, typeBefore, codeBefore, nameBefore, typeAfter, codeAfter, nameAfter])
    }

    public func population(code: String, commune: String?, pmun: Int, pcap: Int?, ptot: Int?) throws {
        try run(
            "INSERT INTO population (source, year, code, commune, pmun, pcap, ptot) VALUES (?,?,?,?,?,?,?)",
            [source, vintage, code, commune, pmun, pcap, ptot])
    }

    public func centroid(code: String, commune: String?, name: String?, lat: Double, lon: Double) throws {
        try run(
            "INSERT INTO centroid (source, code, commune, name, lat, lon) VALUES (?,?,?,?,?,?)",
            [source, code, commune, name, lat, lon])
    }

    public func contour(
        code: String, commune: String?, name: String?, geometry: String,
        minLat: Double, minLon: Double, maxLat: Double, maxLon: Double
    ) throws {
        try run(
            "INSERT INTO contour (source, code, commune, name, geometry, min_lat, min_lon, max_lat, max_lon) VALUES (?,?,?,?,?,?,?,?,?)",
            [source, code, commune, name, geometry, minLat, minLon, maxLat, maxLon])
    }

    public func equipment(code: String, commune: String?, type: String, count: Int) throws {
        try run(
            "INSERT INTO equipment (source, vintage, code, commune, type, count) VALUES (?,?,?,?,?,?)",
            [source, vintage, code, commune, type, count])
    }

    public func site(
        code: String?, commune: String?, type: String, externalID: String, name: String?, lat: Double?, lon: Double?,
        usable: Bool, opened: String?, closed: String?, active: Bool, nonDiffusible: Bool, method: String?
    ) throws {
        try run(
            """
            INSERT INTO site (source, vintage, code, commune, type, ext_id, name, lat, lon, usable, opened, closed, active, non_diffusible, method)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """,
            [
                source, vintage, code, commune, type, externalID, name, lat, lon, usable, opened, closed, active,
                nonDiffusible, method,
            ])
    }
}

extension Store {
    /// Every table holding per-source rows; a reload replaces a source's rows in all of them.
    static let sourceTables = ["commune", "mouvement", "population", "centroid", "contour", "equipment", "site"]

    /// Replaces `source`'s data in one transaction: its old rows go, `body` writes the new ones,
    /// the run is recorded as loaded. If `body` throws, nothing changes (the old data stays) and
    /// the error propagates; the caller records the failure.
    /// `geography` is the COG year the file's codes are in.
    public func replaceData(
        source: String, kind: String, vintage: Int, geography: Int, runID: Int64, state: LoadedState,
        _ body: @escaping @Sendable (SourceWriter) throws -> RunOutcome
    ) async throws -> RunOutcome {
        try await pool.write { db in
            for table in Self.sourceTables {
                try db.execute(sql: "DELETE FROM \(table) WHERE source = ?", arguments: [source])
            }
            let outcome = try body(SourceWriter(db: db, source: source, vintage: vintage))
            try Self.finish(db, runID, outcome)
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO source_state (source, kind, url, vintage, geography, coverage, run_id, sha256, etag,
                        last_modified, loaded_at)
                    VALUES (?,?,?,?,?,?,?,?,?,?,?)
                    """,
                arguments: [
                    source, kind, state.url, vintage, geography, outcome.coverage?.description, runID, state.sha256,
                    state.etag, state.lastModified, Store.now(),
                ])
            return outcome
        }
    }
}
