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
        return m
    }
}
