import Foundation
import GRDB

/// The database schema, as an ordered list of migrations. Never edit a shipped migration: add one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1 runs and reference data") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ingestion_run (
                        id INTEGER PRIMARY KEY,
                        source TEXT NOT NULL, kind TEXT NOT NULL, url TEXT NOT NULL, vintage INTEGER,
                        started_at TEXT NOT NULL, finished_at TEXT,
                        outcome TEXT NOT NULL CHECK (outcome IN ('running','loaded','unchanged','failed')),
                        http_status INTEGER, etag TEXT, last_modified TEXT, sha256 TEXT, bytes INTEGER,
                        rows_read INTEGER, rows_loaded INTEGER, rows_rejected INTEGER, error TEXT);
                    CREATE INDEX ingestion_run_source ON ingestion_run(source, id);
                    CREATE TABLE rejected_row (
                        run_id INTEGER NOT NULL REFERENCES ingestion_run(id) ON DELETE CASCADE,
                        line INTEGER NOT NULL, reason TEXT NOT NULL);
                    CREATE INDEX rejected_row_run ON rejected_row(run_id);
                    CREATE TABLE unmapped_code (
                        run_id INTEGER NOT NULL REFERENCES ingestion_run(id) ON DELETE CASCADE,
                        code TEXT NOT NULL, reason TEXT NOT NULL, rows INTEGER NOT NULL, amount INTEGER NOT NULL);
                    -- What each source holds now: the run whose data is loaded.
                    CREATE TABLE source_state (
                        source TEXT PRIMARY KEY, kind TEXT NOT NULL, url TEXT NOT NULL, vintage INTEGER,
                        run_id INTEGER NOT NULL, sha256 TEXT NOT NULL, etag TEXT, last_modified TEXT,
                        loaded_at TEXT NOT NULL);

                    CREATE TABLE commune (
                        source TEXT NOT NULL, vintage INTEGER NOT NULL, type TEXT NOT NULL, code TEXT NOT NULL,
                        name TEXT NOT NULL, dep TEXT, reg TEXT, parent TEXT, PRIMARY KEY (source, type, code));
                    CREATE INDEX commune_vintage ON commune(vintage, type, code);
                    CREATE TABLE mouvement (
                        source TEXT NOT NULL, mod INTEGER NOT NULL, date_eff TEXT NOT NULL,
                        type_av TEXT, code_av TEXT, name_av TEXT, type_ap TEXT, code_ap TEXT, name_ap TEXT);
                    CREATE INDEX mouvement_source ON mouvement(source);
                    CREATE TABLE population (
                        source TEXT NOT NULL, year INTEGER NOT NULL, code TEXT NOT NULL, commune TEXT,
                        pmun INTEGER NOT NULL, pcap INTEGER, ptot INTEGER);
                    CREATE INDEX population_commune ON population(commune);
                    CREATE INDEX population_source ON population(source);
                    CREATE TABLE centroid (
                        source TEXT NOT NULL, code TEXT NOT NULL, commune TEXT, name TEXT,
                        lat REAL NOT NULL, lon REAL NOT NULL);
                    CREATE INDEX centroid_commune ON centroid(commune);
                    CREATE INDEX centroid_source ON centroid(source);
                    CREATE TABLE contour (
                        source TEXT NOT NULL, code TEXT NOT NULL, commune TEXT, name TEXT, geometry TEXT NOT NULL,
                        min_lat REAL, min_lon REAL, max_lat REAL, max_lon REAL);
                    CREATE INDEX contour_commune ON contour(commune);
                    CREATE INDEX contour_source ON contour(source);
                    """)
        }
        m.registerMigration("v2 services") { db in
            try db.execute(
                sql: """
                    -- Equipment counts per commune and source type code, in the source's geography
                    -- (code) and the target one (commune, NULL when it could not be translated).
                    CREATE TABLE equipment (
                        source TEXT NOT NULL, vintage INTEGER NOT NULL, code TEXT NOT NULL, commune TEXT,
                        type TEXT NOT NULL, count INTEGER NOT NULL);
                    CREATE INDEX equipment_source ON equipment(source);
                    CREATE INDEX equipment_commune ON equipment(commune, type);
                    -- Point sites (facilities, establishments, OSM objects) of mapped types.
                    CREATE TABLE site (
                        source TEXT NOT NULL, vintage INTEGER NOT NULL, code TEXT, commune TEXT, type TEXT NOT NULL,
                        ext_id TEXT NOT NULL, name TEXT, lat REAL, lon REAL, usable INTEGER NOT NULL,
                        opened TEXT, closed TEXT, active INTEGER NOT NULL, non_diffusible INTEGER NOT NULL,
                        method TEXT);
                    CREATE INDEX site_source ON site(source);
                    CREATE INDEX site_commune ON site(commune, type);
                    -- The category mapping in force (data/categories.csv), rewritten at each run.
                    CREATE TABLE category_code (
                        source_kind TEXT NOT NULL, code TEXT NOT NULL, category TEXT NOT NULL, kind TEXT,
                        vintage_from INTEGER, vintage_to INTEGER, label TEXT);
                    """)
        }
        m.registerMigration("v3 analysis and candidates") { db in
            try db.execute(
                sql: """
                    CREATE TABLE flag (
                        commune TEXT NOT NULL, category TEXT NOT NULL, flag TEXT NOT NULL,
                        vintage_from INTEGER, vintage_to INTEGER, sources TEXT, disagreement TEXT,
                        PRIMARY KEY (commune, category));
                    CREATE TABLE access (
                        commune TEXT NOT NULL, category TEXT NOT NULL, nearest_km REAL, catchment_without INTEGER,
                        PRIMARY KEY (commune, category));
                    -- Candidates persist across analyses: scores are rewritten, status and note never.
                    CREATE TABLE candidate (
                        commune TEXT PRIMARY KEY, score REAL, rank INTEGER, breakdown TEXT,
                        status TEXT NOT NULL DEFAULT 'new'
                            CHECK (status IN ('new','contacted','feasibility','opened','rejected')),
                        note TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
                        listed INTEGER NOT NULL DEFAULT 1);
                    -- Communes that had a café, bar or restaurant and have none now.
                    CREATE TABLE meeting_loss (commune TEXT PRIMARY KEY);
                    CREATE TABLE analysis_run (
                        id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
                        vintage_from INTEGER, vintage_to INTEGER, communes INTEGER, candidates INTEGER);
                    """)
        }
        m.registerMigration("v4 schedule") { db in
            try db.execute(
                sql: """
                    -- The daemon's next run per source, so that a restart does not re-download everything.
                    CREATE TABLE schedule (
                        source TEXT PRIMARY KEY, next_run REAL NOT NULL, failures INTEGER NOT NULL DEFAULT 0);
                    """)
        }
        m.registerMigration("v5 coverage") { db in
            try db.execute(
                sql: """
                    -- The territory a file describes: `national`, or the départements it holds (comma-separated).
                    -- A commune of a covered département without a row has zero facilities; outside, unknown.
                    ALTER TABLE ingestion_run ADD COLUMN coverage TEXT;
                    ALTER TABLE source_state ADD COLUMN coverage TEXT;
                    -- The COG year of the file's codes: communes created or re-established later are not in it.
                    ALTER TABLE source_state ADD COLUMN geography INTEGER;
                    UPDATE source_state SET geography = vintage;
                    UPDATE source_state SET coverage = 'national' WHERE kind IN ('sirene', 'osm');
                    -- Files loaded before coverage existed describe the départements they hold.
                    UPDATE source_state SET coverage = (
                        SELECT group_concat(d, ',') FROM (
                            SELECT DISTINCT
                                CASE WHEN e.code LIKE '97%' THEN substr(e.code, 1, 3) ELSE substr(e.code, 1, 2) END AS d
                            FROM equipment e WHERE e.source = source_state.source ORDER BY d))
                    WHERE kind = 'bpe';
                    """)
        }
        m.registerMigration("v6 café known, the viability score") { db in
            try db.execute(
                sql: """
                    -- Communes a café source (Sirene, OSM) covers: elsewhere "no café" is not known.
                    CREATE TABLE cafe_known (commune TEXT PRIMARY KEY);
                    CREATE INDEX candidate_rank ON candidate(listed, rank);
                    -- Candidates with their café status, as the domain reads them.
                    CREATE VIEW candidate_status AS
                        SELECT k.*, EXISTS (SELECT 1 FROM cafe_known ck WHERE ck.commune = k.commune) AS cafe_known
                        FROM candidate k;
                    -- Breakdowns of the earlier additive score read as none until the next analysis
                    -- rewrites them; annotated communes never scored have a score of 0.
                    UPDATE candidate SET breakdown = '[]'
                    WHERE breakdown IS NULL OR breakdown NOT LIKE '%"normalised"%';
                    UPDATE candidate SET score = 0 WHERE score IS NULL;
                    """)
        }
        m.registerMigration("v7 generations") { db in
            try db.execute(
                sql: """
                    -- Every load writes a new generation of its source's rows (tagged with its run) in short
                    -- transactions; readers see a source's rows through the views, which keep only the
                    -- generation its state points to; one tiny transaction makes the new one current.
                    CREATE TABLE commune_row (
                        source TEXT NOT NULL, run_id INTEGER NOT NULL, vintage INTEGER NOT NULL, type TEXT NOT NULL,
                        code TEXT NOT NULL, name TEXT NOT NULL, dep TEXT, reg TEXT, parent TEXT,
                        PRIMARY KEY (source, run_id, type, code));
                    INSERT INTO commune_row
                        SELECT c.source, s.run_id, c.vintage, c.type, c.code, c.name, c.dep, c.reg, c.parent
                        FROM commune c JOIN source_state s ON s.source = c.source;
                    DROP TABLE commune;
                    CREATE INDEX commune_row_vintage ON commune_row(vintage, type, code);
                    CREATE VIEW commune AS
                        SELECT r.* FROM commune_row r JOIN source_state s ON s.source = r.source AND s.run_id = r.run_id;
                    \(Schema.generations(of: ["mouvement", "population", "centroid", "contour", "equipment", "site"]))

                    -- Each analysis is a generation too, current once finished; the candidate table keeps the
                    -- field team's status and note, and the scores of each analysis live beside it.
                    CREATE VIEW current_analysis AS SELECT MAX(id) AS id FROM analysis_run WHERE finished_at IS NOT NULL;
                    CREATE TABLE flag_row (
                        analysis_id INTEGER NOT NULL, commune TEXT NOT NULL, category TEXT NOT NULL, flag TEXT NOT NULL,
                        vintage_from INTEGER, vintage_to INTEGER, sources TEXT, disagreement TEXT,
                        PRIMARY KEY (analysis_id, commune, category));
                    INSERT INTO flag_row SELECT COALESCE((SELECT id FROM current_analysis), 0), f.* FROM flag f;
                    DROP TABLE flag;
                    CREATE VIEW flag AS
                        SELECT commune, category, flag, vintage_from, vintage_to, sources, disagreement FROM flag_row
                        WHERE analysis_id = (SELECT id FROM current_analysis);
                    CREATE TABLE access_row (
                        analysis_id INTEGER NOT NULL, commune TEXT NOT NULL, category TEXT NOT NULL, nearest_km REAL,
                        catchment_without INTEGER, PRIMARY KEY (analysis_id, commune, category));
                    INSERT INTO access_row SELECT COALESCE((SELECT id FROM current_analysis), 0), a.* FROM access a;
                    DROP TABLE access;
                    CREATE VIEW access AS
                        SELECT commune, category, nearest_km, catchment_without FROM access_row
                        WHERE analysis_id = (SELECT id FROM current_analysis);
                    CREATE TABLE meeting_loss_row (
                        analysis_id INTEGER NOT NULL, commune TEXT NOT NULL, PRIMARY KEY (analysis_id, commune));
                    INSERT INTO meeting_loss_row SELECT COALESCE((SELECT id FROM current_analysis), 0), commune FROM meeting_loss;
                    DROP TABLE meeting_loss;
                    CREATE VIEW meeting_loss AS
                        SELECT commune FROM meeting_loss_row WHERE analysis_id = (SELECT id FROM current_analysis);
                    CREATE TABLE cafe_known_row (
                        analysis_id INTEGER NOT NULL, commune TEXT NOT NULL, PRIMARY KEY (analysis_id, commune));
                    INSERT INTO cafe_known_row SELECT COALESCE((SELECT id FROM current_analysis), 0), commune FROM cafe_known;
                    DROP TABLE cafe_known;
                    CREATE VIEW cafe_known AS
                        SELECT commune FROM cafe_known_row WHERE analysis_id = (SELECT id FROM current_analysis);
                    CREATE TABLE candidate_score (
                        analysis_id INTEGER NOT NULL, commune TEXT NOT NULL, score REAL NOT NULL, rank INTEGER NOT NULL,
                        breakdown TEXT NOT NULL, PRIMARY KEY (analysis_id, commune));
                    CREATE INDEX candidate_score_rank ON candidate_score(analysis_id, rank);
                    INSERT INTO candidate_score
                        SELECT COALESCE((SELECT id FROM current_analysis), 0), commune, score, rank, breakdown
                        FROM candidate WHERE listed = 1 AND rank IS NOT NULL;
                    DROP VIEW candidate_status;
                    DROP INDEX candidate_rank;
                    ALTER TABLE candidate DROP COLUMN score;
                    ALTER TABLE candidate DROP COLUMN rank;
                    ALTER TABLE candidate DROP COLUMN breakdown;
                    ALTER TABLE candidate DROP COLUMN listed;
                    -- A candidate as read: the kept record, its scores in the current analysis (listed when
                    -- it has some) and whether a café source covers it.
                    CREATE VIEW candidate_status AS
                        SELECT k.commune, COALESCE(s.score, 0) AS score, s.rank, COALESCE(s.breakdown, '[]') AS breakdown,
                            k.status, k.note, k.first_seen, k.last_seen, s.commune IS NOT NULL AS listed,
                            EXISTS (SELECT 1 FROM cafe_known ck WHERE ck.commune = k.commune) AS cafe_known
                        FROM candidate k
                            LEFT JOIN candidate_score s ON s.commune = k.commune
                                AND s.analysis_id = (SELECT id FROM current_analysis);

                    -- A run stopped by the daemon's shutdown is cancelled, not failed.
                    CREATE TABLE ingestion_run_v7 (
                        id INTEGER PRIMARY KEY,
                        source TEXT NOT NULL, kind TEXT NOT NULL, url TEXT NOT NULL, vintage INTEGER,
                        started_at TEXT NOT NULL, finished_at TEXT,
                        outcome TEXT NOT NULL CHECK (outcome IN ('running','loaded','unchanged','failed','cancelled')),
                        http_status INTEGER, etag TEXT, last_modified TEXT, sha256 TEXT, bytes INTEGER,
                        rows_read INTEGER, rows_loaded INTEGER, rows_rejected INTEGER, error TEXT, coverage TEXT);
                    INSERT INTO ingestion_run_v7
                        SELECT id, source, kind, url, vintage, started_at, finished_at, outcome, http_status, etag,
                            last_modified, sha256, bytes, rows_read, rows_loaded, rows_rejected, error, coverage
                        FROM ingestion_run;
                    DROP TABLE ingestion_run;
                    ALTER TABLE ingestion_run_v7 RENAME TO ingestion_run;
                    CREATE INDEX ingestion_run_source ON ingestion_run(source, id);
                    """)
        }
        m.registerMigration("v8 premises") { db in
            try db.execute(
                sql: """
                    -- Sites as premises: the address their source gives; premises the field team found;
                    -- its annotations on a source's sites, keyed by the source's identity of the site
                    -- (SIRET, OSM element, BPE fingerprint), never by row, so that they hold across
                    -- reloads. No job ever deletes the team's rows.
                    ALTER TABLE site_row ADD COLUMN address TEXT;
                    CREATE INDEX site_row_ext ON site_row(ext_id);
                    CREATE TABLE team_site (
                        id INTEGER PRIMARY KEY, commune TEXT NOT NULL, label TEXT NOT NULL, address TEXT,
                        lat REAL, lon REAL,
                        kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN ('former-cafe','communal','private','other')),
                        licence_iv TEXT NOT NULL DEFAULT 'unknown' CHECK (licence_iv IN ('yes','no','unknown')),
                        status TEXT NOT NULL DEFAULT 'proposed'
                            CHECK (status IN ('proposed','visited','retained','rejected')),
                        note TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
                    CREATE INDEX team_site_commune ON team_site(commune);
                    CREATE TABLE site_annotation (
                        source_kind TEXT NOT NULL, ext_id TEXT NOT NULL,
                        licence_iv TEXT NOT NULL DEFAULT 'unknown' CHECK (licence_iv IN ('yes','no','unknown')),
                        status TEXT CHECK (status IN ('proposed','visited','retained','rejected')),
                        note TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (source_kind, ext_id));
                    """)
        }
        m.registerMigration("v9 alerts") { db in
            // A store's own identity: what makes its feed's ids unique among all installations.
            try db.execute(sql: "CREATE TABLE store_identity (uuid TEXT NOT NULL)")
            try db.execute(sql: "INSERT INTO store_identity (uuid) VALUES (?)", arguments: [UUID().uuidString])
            try db.execute(
                sql: """
                    -- Alerts are events: written once by the analysis that found them, never rewritten.
                    CREATE TABLE alert (
                        id INTEGER PRIMARY KEY, analysis_id INTEGER NOT NULL, commune TEXT NOT NULL,
                        name TEXT NOT NULL, dep TEXT, category TEXT NOT NULL,
                        change TEXT NOT NULL CHECK (change IN ('lost','downgraded','regained')),
                        vintage_from INTEGER, vintage_to INTEGER, sources TEXT, detected_at TEXT NOT NULL,
                        candidate_rank INTEGER);
                    CREATE INDEX alert_dep ON alert(dep, id);
                    -- The last known flag (never `unknown`) of each watched category in each commune:
                    -- what the next analysis is compared with.
                    CREATE TABLE watch_state (
                        commune TEXT NOT NULL, category TEXT NOT NULL, flag TEXT NOT NULL,
                        PRIMARY KEY (commune, category));
                    -- Each alert to send to each webhook that wants it, and every attempt.
                    CREATE TABLE webhook_delivery (
                        id INTEGER PRIMARY KEY, alert_id INTEGER NOT NULL REFERENCES alert(id),
                        webhook TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('pending','delivered','abandoned')),
                        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL);
                    CREATE INDEX webhook_delivery_due ON webhook_delivery(state, next_attempt_at);
                    CREATE INDEX webhook_delivery_webhook ON webhook_delivery(webhook, state);
                    CREATE TABLE delivery_attempt (
                        id INTEGER PRIMARY KEY, delivery_id INTEGER NOT NULL REFERENCES webhook_delivery(id),
                        at TEXT NOT NULL,
                        outcome TEXT NOT NULL CHECK (outcome IN ('delivered','failed','abandoned')),
                        http_status INTEGER, error TEXT, seconds REAL NOT NULL);
                    CREATE INDEX delivery_attempt_delivery ON delivery_attempt(delivery_id);
                    """)
        }
        m.registerMigration("v10 data version") { db in
            try db.execute(
                sql: """
                    -- A number that changes with every write the API's answers depend on: a load or an
                    -- analysis made current, a field note, a site, an annotation, an alert, a new
                    -- category mapping (bumped by the store when the rules differ). The HTTP ETags.
                    CREATE TABLE data_version (n INTEGER NOT NULL);
                    INSERT INTO data_version VALUES (1);
                    \(Schema.bumps(on: [
                        ("source_state", "INSERT"), ("source_state", "UPDATE OF run_id, coverage"), ("source_state", "DELETE"),
                        ("analysis_run", "UPDATE OF finished_at"), ("candidate", "UPDATE OF status, note"),
                        ("team_site", "INSERT"), ("team_site", "UPDATE"), ("site_annotation", "INSERT"),
                        ("site_annotation", "UPDATE"), ("alert", "INSERT"),
                    ]))
                    """)
        }
        m.registerMigration("v11 read indexes") { db in
            try db.execute(
                sql: """
                    -- The API's point reads: a commune by code (any type), its former communes, a
                    -- département's communes (the candidate page).
                    CREATE INDEX commune_row_code ON commune_row(code, vintage);
                    CREATE INDEX commune_row_parent ON commune_row(parent, vintage);
                    CREATE INDEX commune_row_dep ON commune_row(vintage, dep, type);
                    """)
        }
        m.registerMigration("v12 site identities by generation") { db in
            try db.execute(
                sql: """
                    -- A site is looked up by its source's identity within the current generation.
                    -- Keyed by run first, a load's identities fill a region of their own: indexed by
                    -- identity alone, each batch of a load (and of the old generation's deletion)
                    -- rewrote the whole index, its hashes being spread over every page (national BPE
                    -- reload: old rows deleted in 8 s → 5 s).
                    DROP INDEX site_row_ext;
                    CREATE INDEX site_row_ext ON site_row(run_id, ext_id);
                    """)
        }
        m.registerMigration("v13 absent flags") { db in
            try db.execute(
                sql: """
                    -- A map shows what each commune lacks: its absent flags (a third of them), read
                    -- from this index alone instead of every flag and its row (whole-France flags
                    -- 0.25 s → 0.15 s).
                    CREATE INDEX flag_row_absent ON flag_row(analysis_id, commune, category, flag)
                        WHERE flag IN ('lost', 'never');
                    """)
        }
        m.registerMigration("v14 a table per generation of equipment and sites") { db in
            // See GenerationTable: the current rows move to their run's table, the rest (a crashed
            // load's, an old generation not yet deleted) go with the templates' rows and indexes.
            try db.execute(
                sql: """
                    CREATE TABLE generation_table (name TEXT PRIMARY KEY, kind TEXT NOT NULL, run_id INTEGER NOT NULL);
                    DROP VIEW equipment;
                    DROP VIEW site;
                    """)
            for table in GenerationTable.allCases {
                let runs = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT s.source, s.run_id FROM source_state s
                        WHERE EXISTS (SELECT 1 FROM \(table.template) r WHERE r.source = s.source AND r.run_id = s.run_id)
                        """)
                for r in runs {
                    let (source, run): (String, Int64) = (r[0], r[1])
                    try table.create(run: run, db) { name in
                        """
                        CREATE INDEX \(name)_commune ON \(name)(commune, type);
                        \(table == .site ? "CREATE INDEX \(name)_ext ON \(name)(ext_id);" : "")
                        """
                    }
                    // By source and run: the way into the generation index, not a scan per run.
                    try db.execute(
                        sql: """
                            INSERT INTO \(table.name(run: run))
                            SELECT * FROM \(table.template) WHERE source = ? AND run_id = ?
                            """, arguments: [source, run])
                }
            }
            try db.execute(
                sql: """
                    DROP INDEX equipment_commune;
                    DROP INDEX equipment_row_generation;
                    DROP INDEX site_commune;
                    DROP INDEX site_row_generation;
                    DROP INDEX site_row_ext;
                    DELETE FROM equipment_row;
                    DELETE FROM site_row;
                    -- The rows now drive their joins with the mapping (Store.categoryJoin): each
                    -- looks its code up here, instead of in an index built for every query.
                    CREATE INDEX category_code_code ON category_code(source_kind, code);
                    """)
            for table in GenerationTable.allCases { try table.showCurrent(db) { "SELECT * FROM \($0)" } }
        }
        m.registerMigration("v15 equipment counts packed by commune") { db in
            // See GenerationTable.rows(in:). The template is empty: made again with the new columns.
            try db.execute(
                sql: """
                    DROP VIEW equipment;
                    DROP TABLE equipment_row;
                    CREATE TABLE equipment_row (
                        source TEXT NOT NULL, vintage INTEGER NOT NULL, code TEXT NOT NULL, commune TEXT,
                        counts TEXT NOT NULL, run_id INTEGER NOT NULL);
                    """)
            let tables = try Row.fetchAll(
                db, sql: "SELECT name, run_id FROM generation_table WHERE kind = ?",
                arguments: [GenerationTable.equipment.rawValue])
            for r in tables {
                let (table, run): (String, Int64) = (r[0], r[1])
                try db.execute(
                    sql: """
                        DROP INDEX IF EXISTS \(table)_commune;
                        ALTER TABLE \(table) RENAME TO unpacked;
                        DELETE FROM generation_table WHERE name = ?;
                        """, arguments: [table])
                try GenerationTable.equipment.create(run: run, db) { "CREATE INDEX \($0)_commune ON \($0)(commune)" }
                // A commune's types, each summed (a commune met again in its file has more rows of a
                // type), in the order the load wrote them.
                try db.execute(
                    sql: """
                        INSERT INTO \(table) (source, vintage, code, commune, counts, run_id)
                        SELECT source, vintage, code, commune, json_group_object(type, n), run_id
                        FROM (
                            SELECT source, vintage, code, commune, type, SUM(count) AS n, run_id, MIN(rowid) AS first
                            FROM unpacked GROUP BY source, vintage, code, commune, type, run_id)
                        GROUP BY source, vintage, code, commune, run_id ORDER BY MIN(first);
                        DROP TABLE unpacked;
                        """)
            }
            try GenerationTable.equipment.showCurrent(db)
        }
        m.registerMigration("v16 site identities indexed by their hash") { db in
            // See SiteKey.
            db.add(
                function: DatabaseFunction("ruralmap_ext_hash", argumentCount: 1, pure: true) { values in
                    String.fromDatabaseValue(values[0]).map(SiteKey.of)
                })
            try addSiteColumn("ext_hash INTEGER NOT NULL DEFAULT 0", db) { table in
                """
                UPDATE \(table) SET ext_hash = ruralmap_ext_hash(ext_id);
                DROP INDEX IF EXISTS \(table)_ext;
                CREATE INDEX \(table)_ext ON \(table)(ext_hash);
                """
            }
        }
        m.registerMigration("v17 site identities indexed after their batch") { db in
            // See SiteKey. The rows stored before are all of batch 0: a lookup's first listed
            // batch.
            try addSiteColumn("batch INTEGER NOT NULL DEFAULT 0", db) { table in
                """
                DROP INDEX IF EXISTS \(table)_ext;
                CREATE INDEX \(table)_ext ON \(table)(batch, ext_hash);
                """
            }
        }
        return m
    }

    /// Adds `column` (its definition) to the sites' template and to every site table, the
    /// template first: new tables copy its columns, and the view's arms must all have them. Each
    /// table then runs `sql(table)`; the view is made again.
    private static func addSiteColumn(_ column: String, _ db: Database, then sql: (String) -> String) throws {
        try db.execute(sql: "DROP VIEW site; ALTER TABLE \(GenerationTable.site.template) ADD COLUMN \(column);")
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM generation_table WHERE kind = ?", arguments: [GenerationTable.site.rawValue])
        for table in tables { try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN \(column);\n\(sql(table))") }
        try GenerationTable.site.showCurrent(db)
    }

    /// Triggers that bump `data_version` after each (table, event): one statement per row
    /// changed, so only on the rows and columns answers depend on.
    private static func bumps(on events: [(table: String, event: String)]) -> String {
        events.enumerated().map { i, e in
            "CREATE TRIGGER data_version_\(i) AFTER \(e.event) ON \(e.table) BEGIN UPDATE data_version SET n = n + 1; END;"
        }.joined(separator: "\n")
    }

    /// The SQL that turns each of `tables` (rows of the current load of their source) into
    /// `TABLE_row`, its rows tagged with the run that loaded them, and a view `TABLE` of the rows of
    /// each source's current generation.
    private static func generations(of tables: [String]) -> String {
        tables.map { t in
            """
            ALTER TABLE \(t) ADD COLUMN run_id INTEGER NOT NULL DEFAULT 0;
            UPDATE \(t) SET run_id = COALESCE((SELECT run_id FROM source_state s WHERE s.source = \(t).source), 0);
            ALTER TABLE \(t) RENAME TO \(t)_row;
            DROP INDEX \(t)_source;
            CREATE INDEX \(t)_row_generation ON \(t)_row(source, run_id);
            CREATE VIEW \(t) AS
                SELECT r.* FROM \(t)_row r JOIN source_state s ON s.source = r.source AND s.run_id = r.run_id;
            """
        }.joined(separator: "\n")
    }
}
