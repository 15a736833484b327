import Analysis
import Catalog
import Foundation
import GRDB
import Territory

/// The premises of communes (see ``Premises``): a source's sites of the meeting and shopping
/// categories, with the field team's annotations, and the team's own premises.
extension Store {
    /// The premises of `commune`, its last café or bar to close marked.
    public func premises(commune: CommuneCode) async throws -> [Premises] {
        try await writer.read { db in
            let rows = try Row.fetchCursor(
                db, sql: Self.premisesSQL(sites: "s.commune = ?", team: "t.commune = ?"), arguments: [commune, commune])
            var out: [Premises] = []
            while let row = try rows.next() { out.append(try Self.premises(row)) }
            return Premises.markingLastMeetingPlace(out)
        }
    }

    /// One site's premises, or nil when no current site or team premises has that id.
    public func premises(id: SiteID) async throws -> Premises? {
        try await writer.read { db in try Self.premises(id: id, db) }
    }

    /// Calls `body` with each commune's premises (last café marked) and the commune's name, for the
    /// communes of the target geography in `departements` (all when empty), by commune code; rows
    /// stream from one cursor.
    public func forEachCommunePremises(
        targetVintage: Int, departements: [String], _ body: @escaping @Sendable (String, [Premises]) throws -> Void
    ) async throws {
        try await writer.read { db in
            let names = try Dictionary(
                Row.fetchAll(
                    db,
                    sql: """
                        SELECT code, name FROM commune WHERE vintage = ? AND type = 'COM'
                            AND (? = 0 OR dep IN (SELECT value FROM json_each(?)))
                        """, arguments: [targetVintage, departements.isEmpty ? 0 : 1, Self.jsonArray(departements)]
                ).map { ($0["code"] as String, $0["name"] as String) }, uniquingKeysWith: { a, _ in a })
            let selection = "IN (SELECT value FROM json_each(?))"
            let sorted = names.keys.sorted()
            let codes = Self.jsonArray(sorted)
            // The range goes into each generation table's commune index (SQLite pushes a constant
            // condition into the arms of the `site` view, not one with a subquery): a
            // département's sites are read from its range, not found among all of France's.
            let rows = try Row.fetchCursor(
                db,
                sql: Self.premisesSQL(
                    sites: "s.commune BETWEEN ? AND ? AND s.commune " + selection, team: "t.commune " + selection),
                arguments: [sorted.first ?? "", sorted.last ?? "", codes, codes])
            var group: [Premises] = []
            func flush() throws {
                guard let first = group.first else { return }
                try body(names[first.commune.rawValue] ?? "", Premises.markingLastMeetingPlace(group))
                group = []
            }
            while let row = try rows.next() {
                let p = try Self.premises(row)
                if let first = group.first, first.commune != p.commune { try flush() }
                group.append(p)
            }
            try flush()
        }
    }

    /// Adds premises the field team found in `commune`.
    /// - Throws: ``PremisesError`` for an invalid change or a commune not in the target geography.
    public func addPremises(commune: CommuneCode, _ change: SiteChange, targetVintage: Int) async throws -> Premises {
        try change.validate(for: nil)
        return try await writer.write { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM commune WHERE code = ? AND vintage = ? AND type = 'COM')",
                    arguments: [commune, targetVintage]) == true
            else { throw PremisesError(.notFound, "unknown commune \(commune) in COG \(targetVintage)") }
            let now = Store.now()
            try db.execute(
                sql: """
                    INSERT INTO team_site (commune, label, address, lat, lon, kind, licence_iv, status, note,
                        created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    commune, change.label, change.address, change.lat, change.lon, change.kind ?? .other,
                    change.licenceIV ?? .unknown, change.status ?? .proposed, change.note, now, now,
                ])
            return try Self.premises(id: .team(db.lastInsertedRowID), db)!
        }
    }

    /// Applies the field team's `change` to a site: any field of its own premises; the status,
    /// note and licence IV of a source's site (kept apart, matched by the source's identity of the
    /// site, so that they survive every reload).
    /// - Throws: ``PremisesError``: invalid change, or no such site.
    public func updatePremises(_ id: SiteID, _ change: SiteChange) async throws -> Premises {
        try change.validate(for: id)
        return try await writer.write { db in
            guard try Self.premises(id: id, db) != nil else { throw PremisesError(.notFound, "no site \(id)") }
            let now = Store.now()
            switch id {
            case .team(let number):
                let fields: [(String, (any DatabaseValueConvertible)?)] = [
                    ("label", change.label), ("address", change.address), ("lat", change.lat), ("lon", change.lon),
                    ("kind", change.kind), ("licence_iv", change.licenceIV), ("status", change.status),
                    ("note", change.note),
                ]
                for (column, value) in fields {
                    guard let value else { continue }
                    // `column` is one of the names above, never input.
                    try db.execute(
                        sql: "UPDATE team_site SET \(column) = ?, updated_at = ? WHERE id = ?",
                        arguments: [value, now, number])
                }
            case .source(let kind, let externalID):
                try db.execute(
                    sql: """
                        INSERT INTO site_annotation (source_kind, ext_id, licence_iv, status, note, updated_at)
                        VALUES (?, ?, COALESCE(?, 'unknown'), ?, ?, ?)
                        ON CONFLICT (source_kind, ext_id) DO UPDATE SET
                            licence_iv = COALESCE(?, licence_iv), status = COALESCE(?, status),
                            note = COALESCE(?, note), updated_at = excluded.updated_at
                        """,
                    arguments: [
                        kind, externalID, change.licenceIV, change.status, change.note, now, change.licenceIV,
                        change.status, change.note,
                    ])
            }
            return try Self.premises(id: id, db)!
        }
    }

    private static func premises(id: SiteID, _ db: Database) throws -> Premises? {
        let row: Row?
        switch id {
        case .team(let number):
            row = try Row.fetchOne(db, sql: premisesSQL(sites: "0", team: "t.id = ?"), arguments: [number])
        case .source(let kind, let externalID):
            row = try Row.fetchOne(
                db,
                sql: premisesSQL(sites: "st.kind = ? AND \(try SiteKey.condition(db))", team: "0"),
                arguments: [kind, SiteKey.of(externalID), externalID])
        }
        return try row.map(premises)
    }

    /// A source's sites of the premises categories where `sites` holds (on `s`, its source state
    /// `st`), then the team's premises where `team` holds (on `t`), by commune. Of each source
    /// kind only the latest vintage's sites: BPE 2021 and BPE 2024 list the same facilities. A site
    /// without a position of its own, or a non-diffusible one (whose point would give its
    /// address away), is placed at its commune's centroid. Non-diffusible rows give no label and
    /// no address; a row without a name, or a BPE row with a SIRET, is labelled by its activity.
    private static func premisesSQL(sites: String, team: String) -> String {
        let categories = Premises.categories.map { "'\($0.rawValue)'" }.joined(separator: ",")
        // Several centroid files may place a commune: the one whose code is the commune's own
        // (not a former commune's), the first source by name, both coordinates from that row.
        func centroid(_ axis: String) -> String {
            """
            (SELECT ce.\(axis) FROM centroid ce WHERE ce.commune = p.commune
                ORDER BY ce.code = ce.commune DESC, ce.source, ce.code LIMIT 1)
            """
        }
        return """
            WITH latest AS (
                SELECT st.kind, MAX(st.vintage) AS vintage FROM source_state st
                WHERE st.run_id IN (
                    SELECT g.run_id FROM generation_table g WHERE g.kind = '\(GenerationTable.site.rawValue)')
                GROUP BY st.kind)
            SELECT p.*, \(centroid("lat")) AS centroid_lat, \(centroid("lon")) AS centroid_lon
            FROM (
                SELECT s.commune, st.kind AS source_kind, s.source, s.ext_id, NULL AS team_id,
                    CASE WHEN s.non_diffusible THEN NULL
                        -- A BPE name (NOMRS) is an enterprise's legal name: an individual
                        -- entrepreneur's own name. Only a facility without SIRET (a commune's, an
                        -- association's: its id is a fingerprint) is labelled by it.
                        WHEN st.kind = 'bpe' AND s.ext_id NOT LIKE 'h%' THEN c.label
                        ELSE COALESCE(s.name, c.label) END AS label,
                    CASE WHEN s.non_diffusible THEN NULL ELSE s.address END AS address,
                    CASE WHEN s.non_diffusible THEN NULL ELSE s.lat END AS lat,
                    CASE WHEN s.non_diffusible THEN NULL ELSE s.lon END AS lon,
                    s.usable, c.category, s.opened, s.closed, s.active, NULL AS kind,
                    COALESCE(a.licence_iv, 'unknown') AS licence_iv, a.status, a.note
                FROM site s CROSS JOIN source_state st ON st.source = s.source
                    JOIN latest l ON l.kind = st.kind AND l.vintage IS st.vintage
                    \(categoryJoin("s", kind: "st.kind"))
                    LEFT JOIN site_annotation a ON a.source_kind = st.kind AND a.ext_id = s.ext_id
                WHERE c.category IN (\(categories)) AND s.commune IS NOT NULL AND \(sites)
                UNION ALL
                SELECT t.commune, NULL, 'team', NULL, t.id, t.label, t.address, t.lat, t.lon, 1, NULL, NULL, NULL,
                    NULL, t.kind, t.licence_iv, t.status, t.note
                FROM team_site t WHERE \(team)
            ) p
            ORDER BY p.commune, p.team_id IS NOT NULL, p.category, p.active DESC, p.closed DESC, p.label, p.ext_id,
                p.team_id
            """
    }

    private static func premises(_ r: Row) throws -> Premises {
        let commune: CommuneCode = r["commune"]
        let own: (Double, Double)? = (r["lat"] as Double?).flatMap { lat in (r["lon"] as Double?).map { (lat, $0) } }
        let position =
            own ?? (r["centroid_lat"] as Double?).flatMap { lat in (r["centroid_lon"] as Double?).map { (lat, $0) } }
        let id: SiteID
        let category: ServiceCategory?
        let open: Bool?
        if let number = r["team_id"] as Int64? {
            id = .team(number)
            category = nil
            open = nil
        } else {
            id = .source(r["source_kind"], r["ext_id"])
            category = r["category"]
            open = r["active"]
        }
        let kind: PremisesKind? = r["kind"] ?? (category == .cafeBar && open == false ? .formerCafe : nil)
        return Premises(
            id: id, commune: commune, label: r["label"], address: r["address"], lat: position?.0, lon: position?.1,
            approximate: own == nil || !(r["usable"] as Bool), kind: kind, source: r["source"],
            sourceID: r["ext_id"], category: category, opened: r["opened"], closed: r["closed"], open: open,
            licenceIV: r["licence_iv"], status: r["status"], note: r["note"])
    }
}
