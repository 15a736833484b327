import Catalog
import GRDB

/// The rows a source writes by the million (BPE equipment counts and facilities, Sirene
/// establishments, OSM objects): each load writes them into a table of its own (`site_g42` for
/// run 42), and the view (`site`) is the union of the current runs' tables. Replacing a
/// generation drops a table instead of deleting its rows one by one through every index
/// (national BPE reload: 6.5 s of deletions → drops of 0.03–0.07 s), and a load appends to a
/// table only it writes. The other per-source rows, a few tens of thousands, share one table
/// per kind (see ``Store/sharedGenerationTables``).
///
/// Each kind keeps its original table (`site_row`), empty, as the template of its columns.
/// `generation_table` lists the tables made, with their kind and run: a crash between making a
/// table and its run becoming current, or between the swap and the drop of the previous one,
/// leaves a table the next job's sweep drops. A migration that changes the template's columns,
/// the indexes or the view below changes every generation table alike (v15 packed the counts,
/// v16 indexed the identities' hash, v17 after their batch); the migrations before it pass the
/// indexes and the view of their time (``create(run:_:source:indexes:)``, ``showCurrent(_:rows:)``).
enum GenerationTable: String, CaseIterable, Sendable {
    case equipment
    case site

    /// The empty table whose columns every generation table copies.
    var template: String { "\(rawValue)_row" }

    /// The table of run `run`'s rows.
    func name(run: Int64) -> String { "\(rawValue)_g\(run)" }

    /// The indexes of a generation table: the per-commune reads, and for sites the lookup of a
    /// site by its source's identity (field notes on premises), through its key after the batch
    /// that wrote it (``SiteKey``).
    private func indexes(of table: String) -> String {
        switch self {
        case .equipment:
            "CREATE INDEX \(table)_commune ON \(table)(commune);"
        case .site:
            """
            CREATE INDEX \(table)_commune ON \(table)(commune, type);
            CREATE INDEX \(table)_ext ON \(table)(batch, ext_hash);
            """
        }
    }

    /// The rows of `table` as the view shows them. A table of equipment holds one row per commune
    /// code, its counts a JSON object by type (`{"A504":2,"B201":1}`): unpacked here into a row per
    /// type. Packed, the national BPE's 930,639 counts are 34,917 rows, and their inserts took
    /// 0.1 s instead of 1.7 s (replayed in SQLite from Python); a commune's or the country's reads
    /// take the same time (14 µs; 0.34 s).
    func rows(in table: String) -> String {
        switch self {
        case .equipment:
            """
            SELECT g.source, g.vintage, g.code, g.commune, j.key AS type, j.value AS count, g.run_id
            FROM \(table) g, json_each(g.counts) j
            """
        case .site: "SELECT * FROM \(table)"
        }
    }

    /// Makes run `run`'s table, with its indexes, and lists it. Its rows are appended as the load
    /// goes; the view shows them once ``showCurrent(_:)`` runs in the load's final transaction.
    ///
    /// The columns every row of the table shares, its source's name and vintage and its run, are
    /// columns generated from constants when `source` is given: stored in no row, bound by no
    /// insert (a national BPE reload's 538,804 sites: 4.6 → 4.5 s, medians of six alternated
    /// pairs; a tenth less CPU in a profiled pair).
    ///
    /// A migration passes the indexes of its time (`indexes`): the current ones may need columns
    /// a later migration adds; and no source, so that its inserts may copy every column.
    func create(
        run: Int64, _ db: Database, source: (name: String, vintage: Int)? = nil, indexes: ((String) -> String)? = nil
    ) throws {
        let table = name(run: run)
        let templateColumns = try Row.fetchAll(
            db, sql: "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info(?)", arguments: [template])
        guard !templateColumns.isEmpty else {
            throw DatabaseError(message: "the template table \(template) is missing")
        }
        var constants: [String: String] = [:]
        if let source {
            // A literal quoted by SQLite itself: a source's name is the user's.
            constants = [
                "source": try String.fetchOne(db, sql: "SELECT quote(?)", arguments: [source.name]) ?? "NULL",
                "vintage": String(source.vintage), "run_id": String(run),
            ]
        }
        let columns = templateColumns.map { r -> String in
            let (name, type, notNull, defaultValue): (String, String, Bool, String?) = (r[0], r[1], r[2], r[3])
            if let constant = constants[name] { return "\(name) \(type) GENERATED ALWAYS AS (\(constant)) VIRTUAL" }
            return "\(name) \(type)\(notNull ? " NOT NULL" : "")\(defaultValue.map { " DEFAULT \($0)" } ?? "")"
        }
        try db.execute(
            sql: "CREATE TABLE \(table) (\(columns.joined(separator: ", ")));\n\((indexes ?? self.indexes(of:))(table))"
        )
        try db.execute(
            sql: "INSERT INTO generation_table (name, kind, run_id) VALUES (?, ?, ?)",
            arguments: [table, rawValue, run])
    }

    /// The tables of this kind of the runs now current, with their source, its kind and the
    /// vintage every row of the table carries (the state's, 0 for none: a constant of the table).
    func current(_ db: Database) throws -> [(table: String, source: String, sourceKind: SourceKind, vintage: Int)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT g.name, s.source, s.kind, COALESCE(s.vintage, 0)
                FROM generation_table g JOIN source_state s ON s.run_id = g.run_id
                WHERE g.kind = ? ORDER BY g.run_id
                """, arguments: [rawValue]
        ).map { ($0[0], $0[1], $0[2], $0[3]) }
    }

    /// Redefines the view as the union of the current runs' tables. The template comes first,
    /// for its columns when no run has a table yet, without its rows: it never holds any.
    ///
    /// A migration passes the rows of its time (`rows`): the current ones may read columns a
    /// later migration adds, and SQLite checks every view when a later one renames a table.
    func showCurrent(_ db: Database, rows: ((String) -> String)? = nil) throws {
        let rows = rows ?? self.rows(in:)
        // The names are ours (`site_g42`), never input: they cannot be bound parameters.
        let arms = ["\(rows(template)) WHERE 0"] + (try current(db)).map { rows($0.table) }
        try db.execute(
            sql: "DROP VIEW IF EXISTS \(rawValue); CREATE VIEW \(rawValue) AS \(arms.joined(separator: " UNION ALL "))")
    }

    /// The tables listed whose run matches `condition` (on `g`, the listing).
    static func tables(
        _ db: Database, where condition: String, _ arguments: StatementArguments = []
    ) throws
        -> [String]
    {
        try String.fetchAll(
            db, sql: "SELECT g.name FROM generation_table g WHERE \(condition) ORDER BY g.name", arguments: arguments)
    }

    /// The kinds of the tables listed whose run matches `condition` (on `g`, the listing).
    static func kinds(
        _ db: Database, where condition: String, _ arguments: StatementArguments = []
    ) throws
        -> [GenerationTable]
    {
        try String.fetchAll(
            db, sql: "SELECT DISTINCT g.kind FROM generation_table g WHERE \(condition)", arguments: arguments
        ).compactMap(GenerationTable.init(rawValue:))
    }

    /// The number of rows of a listed table, as the view shows them (an equipment count per
    /// commune and type).
    static func rowCount(of table: String, _ db: Database) throws -> Int {
        let kind = try String.fetchOne(db, sql: "SELECT kind FROM generation_table WHERE name = ?", arguments: [table])
        guard let kind = kind.flatMap(GenerationTable.init(rawValue:)) else {
            throw DatabaseError(message: "\(table) is not a listed generation table")
        }
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(kind.rows(in: table)))") ?? 0
    }

    /// Drops a listed table (its indexes go with it) and its listing.
    static func drop(_ table: String, _ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS \(table)")
        try db.execute(sql: "DELETE FROM generation_table WHERE name = ?", arguments: [table])
    }
}
