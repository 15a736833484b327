import Catalog
import Formats
import GRDB
import Territory

/// How a site was placed in its commune.
public enum LocationMethod: String, Sendable, Codable, DatabaseValueConvertible {
    /// By the commune code the source gives.
    case code
    /// By point in polygon, in the commune's contour.
    case contour
    /// By the nearest commune centroid (no contour loaded there).
    case nearestCentroid = "nearest-centroid"
}

/// Writes one load's rows as a new generation of its source: rows are buffered and committed in
/// batches, each a short transaction, so that field notes and other writers never wait long; the
/// readers do not see them until ``Store/load(_:_:)`` makes the generation current. The batches
/// are committed on a thread of their own (``CommitQueue``) while the load parses on.
///
/// Obtained from ``Store/load(_:_:)``; valid only inside that call, on its thread.
public final class SourceWriter {
    private let commits: CommitQueue
    private let source: String
    private let run: Int64
    private let vintage: Int
    /// The rows not handed over yet, by kind (sites apart, in ``sites``): each batch holds rows of
    /// one kind, so of one table.
    /// Batches of sites mixed with equipment counts dirtied most pages of the sites' identity
    /// index (keys in no order) at each of three times as many commits (national BPE:
    /// SQLite's inserts ~25 % slower).
    private var pending: [[Row]] = Array(repeating: [], count: Kind.allCases.count)
    /// The sites not handed over yet (kind ``Kind/site``), their texts in one buffer.
    private var sites = SiteBatch()
    /// The generation tables this load has asked for so far (the first batch with rows of a
    /// table makes it).
    private var tables: Set<GenerationTable> = []
    /// The batches handed over so far, by kind: a site row carries its batch's number (see
    /// ``SiteKey``).
    private var batches = Array(repeating: 0, count: Kind.allCases.count)
    /// The file's rows loaded so far, as the caller counts them: each batch records the count as
    /// the live run's progress (`rows_loaded`) when it commits.
    public var rowsLoaded = 0

    /// Rows per transaction: what a field note may wait for. During the national BPE load, with
    /// rows of both kinds in each batch, a field note's p99 was 97 ms with 10,000 rows, 150 ms with
    /// 20,000 (the load 1–2 s faster); with batches of one kind, 111–169 ms with 10,000 (the median
    /// 31–50 → 5 ms: most batches are counts, quick to commit). Equipment batches of 30,000 made
    /// the load no faster.
    static let batch = 10_000

    init(writer: any DatabaseWriter, source: String, run: Int64, vintage: Int) {
        self.commits = CommitQueue(writer: writer)
        self.source = source
        self.run = run
        self.vintage = vintage
    }

    fileprivate enum Row: Sendable {
        case commune(CommuneType, CommuneCode, String, String?, String?, CommuneCode?)
        case mouvement(Int, String, String, String, String, String, String, String)
        case population(CommuneCode, CommuneCode?, Int, Int?, Int?)
        case centroid(CommuneCode, CommuneCode?, String?, Double, Double)
        case contour(CommuneCode, CommuneCode?, String?, String, Double, Double, Double, Double)
        /// A commune's counts, by type, stored as a JSON object (see ``GenerationTable/rows(in:)``).
        /// Written by the commit thread: in a national BPE load it had less to do than the parse
        /// (profiled: 1.9 s of CPU against 2.4), and the load took 2.60 s instead of 2.70.
        case equipment(CommuneCode, CommuneCode?, [TypeCount])
    }

    /// A kind of row; its raw value is its place in ``pending`` (whose place for sites stays
    /// empty: they go to ``sites``) and in ``batches``.
    fileprivate enum Kind: Int, CaseIterable { case commune, mouvement, population, centroid, contour, equipment, site }

    private func add(_ row: Row) throws {
        let kind = row.kind
        pending[kind.rawValue].append(row)
        if pending[kind.rawValue].count >= Self.batch { try flush(kind) }
    }

    /// Hands the rows of `kind` buffered to the commit queue, as one short transaction.
    /// - Throws: the error of a batch committed before.
    private func flush(_ kind: Kind) throws {
        if kind == .site {
            guard !sites.isEmpty else { return }
            let rows = sites
            sites = SiteBatch(capacity: rows.rows.count)
            return try submit(kind) { statement, batch in try rows.insert(with: statement, batch: batch) }
        }
        guard !pending[kind.rawValue].isEmpty else { return }
        var rows: [Row] = []
        rows.reserveCapacity(Self.batch)
        swap(&rows, &pending[kind.rawValue])
        let (source, run, vintage) = (self.source, self.run, self.vintage)
        try submit(kind) { [rows] statement, _ in
            // Each row borrowed where it lies: `for row in rows` copied each (its strings retained,
            // then released), a tenth of the commit thread.
            for i in rows.indices { try rows[i].insert(with: statement, source: source, run: run, vintage: vintage) }
        }
    }

    /// Queues one transaction that inserts a batch of `kind` with `insert` (given the kind's
    /// statement and the batch's number), creating the kind's table first if this load has not
    /// yet, and records the load's progress.
    private func submit(_ kind: Kind, _ insert: @escaping @Sendable (RowInserter, Int) throws -> Void) throws {
        let (source, run, vintage) = (self.source, self.run, self.vintage)
        let progress = rowsLoaded
        let batch = batches[kind.rawValue]
        batches[kind.rawValue] += 1
        var newTable: GenerationTable?
        if let table = kind.table, tables.insert(table).inserted { newTable = table }
        try commits.submit { [newTable] db in
            try newTable?.create(run: run, db, source: (source, vintage))
            // Bound through SQLite's C API: GRDB's arguments arrays cost more than the inserts.
            try insert(RowInserter(try db.makeStatement(sql: kind.sql(run: run))), batch)
            try db.execute(sql: "UPDATE ingestion_run SET rows_loaded = ? WHERE id = ?", arguments: [progress, run])
        }
    }

    /// Commits the rows buffered and waits for every batch to be committed.
    /// - Throws: the first error of a batch.
    func finish() throws {
        for kind in Kind.allCases { try flush(kind) }
        try commits.drain()
    }

    /// Waits for the batches already handed over (a failed load deletes its rows after them).
    func abandon() {
        pending = pending.map { _ in [] }
        sites = SiteBatch()
        try? commits.drain()
    }

    public func commune(
        type: CommuneType, code: CommuneCode, name: String, dep: String?, reg: String?, parent: CommuneCode?
    ) throws {
        try add(.commune(type, code, name, dep, reg, parent))
    }

    public func mouvement(
        mod: Int, date: String, typeBefore: String, codeBefore: String, nameBefore: String,
        typeAfter: String, codeAfter: String, nameAfter: String
    ) throws {
        try add(.mouvement(mod, date, typeBefore, codeBefore, nameBefore, typeAfter, codeAfter, nameAfter))
    }

    public func population(code: CommuneCode, commune: CommuneCode?, pmun: Int, pcap: Int?, ptot: Int?) throws {
        try add(.population(code, commune, pmun, pcap, ptot))
    }

    public func centroid(code: CommuneCode, commune: CommuneCode?, name: String?, lat: Double, lon: Double) throws {
        try add(.centroid(code, commune, name, lat, lon))
    }

    public func contour(
        code: CommuneCode, commune: CommuneCode?, name: String?, geometry: String,
        minLat: Double, minLon: Double, maxLat: Double, maxLon: Double
    ) throws {
        try add(.contour(code, commune, name, geometry, minLat, minLon, maxLat, maxLon))
    }

    /// Writes the equipment counts of commune `code` (`commune` in the target geography), sorted
    /// by type. A commune may be written again (a file that lists it twice): readers add its rows
    /// up.
    /// - Throws: the error of a batch committed before.
    public func equipment(code: CommuneCode, commune: CommuneCode?, counts: [TypeCount]) throws {
        guard !counts.isEmpty else { return }
        try add(.equipment(code, commune, counts))
    }

    /// Writes a site of type `type` (a category code of its source) known to its source as
    /// `externalID`, in commune `code` of the file's geography (`commune` in the target's), with
    /// what the source tells of it. Texts are kept as given; nil is stored as NULL.
    /// - Throws: the error of a batch committed before.
    public func site(
        code: CommuneCode?, commune: CommuneCode?, type: String, externalID: String, name: String?, address: String?,
        lat: Double?, lon: Double?, usable: Bool, opened: String?, closed: String?, active: Bool, nonDiffusible: Bool,
        method: LocationMethod?
    ) throws {
        let row = SiteBatch.Row(
            code: sites.text(code?.rawValue), commune: sites.text(commune?.rawValue), type: sites.text(type),
            externalID: sites.text(externalID), name: sites.text(name), address: sites.text(address),
            opened: sites.text(opened), closed: sites.text(closed), key: SiteKey.of(externalID), lat: lat, lon: lon,
            usable: usable, active: active, nonDiffusible: nonDiffusible, method: method)
        sites.append(row)
        if sites.rows.count >= Self.batch { try flush(.site) }
    }
}

extension SourceWriter.Row {
    fileprivate var kind: SourceWriter.Kind {
        switch self {
        case .commune: .commune
        case .mouvement: .mouvement
        case .population: .population
        case .centroid: .centroid
        case .contour: .contour
        case .equipment: .equipment
        }
    }

    /// Inserts the row's values, in the order of its kind's ``SourceWriter/Kind/sql(run:)``. Domain
    /// values go as their raw values (see ``RowInserter``).
    fileprivate func insert(with statement: RowInserter, source: String, run: Int64, vintage: Int) throws {
        switch self {
        case .commune(let type, let code, let name, let dep, let reg, let parent):
            try statement.insert(source, run, vintage, type.rawValue, code.rawValue, name, dep, reg, parent?.rawValue)
        case .mouvement(
            let mod, let date, let typeBefore, let codeBefore, let nameBefore, let typeAfter, let codeAfter,
            let nameAfter):
            try statement.insert(
                source, run, mod, date, typeBefore, codeBefore, nameBefore, typeAfter, codeAfter, nameAfter)
        case .population(let code, let commune, let pmun, let pcap, let ptot):
            try statement.insert(source, run, vintage, code.rawValue, commune?.rawValue, pmun, pcap, ptot)
        case .centroid(let code, let commune, let name, let lat, let lon):
            try statement.insert(source, run, code.rawValue, commune?.rawValue, name, lat, lon)
        case .contour(let code, let commune, let name, let geometry, let minLat, let minLon, let maxLat, let maxLon):
            try statement.insert(
                source, run, code.rawValue, commune?.rawValue, name, geometry, minLat, minLon, maxLat, maxLon)
        case .equipment(let code, let commune, let counts):
            var json = JSONObjectText(capacity: counts.count * 10 + 2)
            for c in counts { json.add(c.type, c.count) }
            try statement.insert(code.rawValue, commune?.rawValue, json.closed)
        }
    }
}

extension SourceWriter.Kind {
    /// The table of its own a load writes rows of this kind into, if it has one.
    fileprivate var table: GenerationTable? {
        switch self {
        case .equipment: .equipment
        case .site: .site
        case .commune, .mouvement, .population, .centroid, .contour: nil
        }
    }

    /// The insert of a row of this kind, written by run `run`.
    fileprivate func sql(run: Int64) -> String {
        switch self {
        case .commune:
            """
            INSERT OR REPLACE INTO commune_row (source, run_id, vintage, type, code, name, dep, reg, parent)
            VALUES (?,?,?,?,?,?,?,?,?)
            """
        case .mouvement:
            """
            INSERT INTO mouvement_row (source, run_id, mod, date_eff, type_av, code_av, name_av, type_ap, code_ap,
                name_ap)
            VALUES (?,?,?,?,?,?,?,?,?,?)
            """
        case .population:
            "INSERT INTO population_row (source, run_id, year, code, commune, pmun, pcap, ptot) VALUES (?,?,?,?,?,?,?,?)"
        case .centroid:
            "INSERT INTO centroid_row (source, run_id, code, commune, name, lat, lon) VALUES (?,?,?,?,?,?,?)"
        case .contour:
            """
            INSERT INTO contour_row (source, run_id, code, commune, name, geometry, min_lat, min_lon, max_lat, max_lon)
            VALUES (?,?,?,?,?,?,?,?,?,?)
            """
        case .equipment:
            """
            INSERT INTO \(GenerationTable.equipment.name(run: run)) (code, commune, counts) VALUES (?,?,?)
            """
        case .site:
            """
            INSERT INTO \(GenerationTable.site.name(run: run)) (code, commune, type, ext_id, name, address, lat, lon, usable,
                opened, closed, active, non_diffusible, method, ext_hash, batch)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """
        }
    }
}
