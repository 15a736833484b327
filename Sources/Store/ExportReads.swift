import Analysis
import Catalog
import GRDB
import Territory

/// One commune as exported: reference facts, flags, distances, candidate fields, shape.
public struct ExportRow: Sendable {
    public var code: CommuneCode
    public var name: String
    public var dep: String?
    public var reg: String?
    public var population: Int?
    public var populationYear: Int?
    public var lat: Double?
    public var lon: Double?
    public var flags: [ServiceCategory: LossFlag]
    public var nearestKm: [ServiceCategory: Double]
    public var lostMeetingPlace: Bool
    /// Whether a café source covers the commune (else its café status is unknown).
    public var cafeKnown: Bool
    public var candidate: CandidateRecord?
    /// Contour geometries (GeoJSON text) of the commune; several for a commune nouvelle drawn
    /// from older contours.
    public var geometries: [String]

    /// What a row carries besides the commune's facts, its absent categories and its candidacy:
    /// each part is a read of its own, and a map needs none but the contours.
    public struct Parts: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Contour geometries.
        public static let geometry = Parts(rawValue: 1 << 0)
        /// What an export shows and a map does not: the flags of the categories present or
        /// unknown today (else only `lost` and `never`), the distances, the candidates' score
        /// breakdowns (else empty: decoding them was most of a map's time).
        public static let details = Parts(rawValue: 1 << 1)
        /// Everything.
        public static let all: Parts = [.geometry, .details]
    }
}

extension Store {
    /// The communes of an export, numbered in output order (`sel`: code, pos); the queries of
    /// ``forEachExportRow(targetVintage:departements:candidatesOnly:parts:_:)`` join it and sort
    /// by `pos`. Its arguments: the target vintage, 0 or 1 (a list of départements or not), the
    /// list as a JSON array. The candidates are joined only to select and order by them: their
    /// view costs a scan of every candidate and its analysis (a quarter of a whole-France map's SQL).
    static func selection(candidatesOnly: Bool) -> String {
        """
        WITH sel AS (
            SELECT c.code, ROW_NUMBER() OVER (ORDER BY \(candidatesOnly ? "k.rank," : "") c.code) AS pos
            FROM commune c \(candidatesOnly ? "JOIN candidate_status k ON k.commune = c.code" : "")
            WHERE c.vintage = ? AND c.type = 'COM' AND (? = 0 OR c.dep IN (SELECT value FROM json_each(?)))
                \(candidatesOnly ? "AND k.listed = 1" : ""))
        """
    }

    /// The flags of the selection, by `pos`: without `details`, the absent ones only, from their
    /// partial index `flag_row_absent` (migration v13), which SQLite uses only for a query stating
    /// its condition in the same words.
    static func flagsQuery(details: Bool) -> String {
        """
        SELECT sel.pos, f.category, f.flag FROM sel JOIN flag f ON f.commune = sel.code
        \(details ? "" : "WHERE f.flag IN ('lost', 'never')") ORDER BY sel.pos
        """
    }

    /// Calls `body` for each commune of the target geography in `departements` (all when empty),
    /// only current candidates (by rank) when `candidatesOnly`. Rows stream from cursors: the
    /// communes and, in the same order, their flags, distances, candidacy and contours, merged
    /// as they come (one query per table rather than four per commune); the `parts` not asked for
    /// are not read.
    public func forEachExportRow(
        targetVintage: Int, departements: [String], candidatesOnly: Bool, parts: ExportRow.Parts,
        _ body: @escaping @Sendable (ExportRow) throws -> Void
    ) async throws {
        try await writer.read { db in
            let popYear = try Self.populationYear(db)
            let selection = Self.selection(candidatesOnly: candidatesOnly)
            let arguments: StatementArguments = [
                targetVintage, departements.isEmpty ? 0 : 1, Self.jsonArray(departements),
            ]
            // A part not asked for is not queried at all: its rows are none.
            func ordered<T>(
                if wanted: Bool = true, _ sql: String, _ extra: StatementArguments = [],
                _ value: @escaping (Row) throws -> T
            ) throws -> OrderedRows<T> {
                OrderedRows(
                    wanted ? try Row.fetchCursor(db, sql: selection + sql, arguments: arguments + extra) : nil, value)
            }
            var flags = try ordered(Self.flagsQuery(details: parts.contains(.details))) {
                row -> (ServiceCategory, LossFlag) in
                // Read as text: GRDB's generic decoding of a raw-representable value looked up type
                // metadata for each of the 220,000 flags of a whole-France map.
                let flag: String = row[2]
                guard let value = LossFlag(rawValue: flag) else {
                    throw DatabaseError(message: "unknown flag \(flag) in the store")
                }
                return (ServiceCategory(rawValue: row[1] as String), value)
            }
            var access = try ordered(
                if: parts.contains(.details),
                """
                SELECT sel.pos, a.category, a.nearest_km FROM sel JOIN access a ON a.commune = sel.code
                WHERE a.nearest_km IS NOT NULL ORDER BY sel.pos
                """
            ) { (ServiceCategory(rawValue: $0[1] as String), $0[2] as Double) }
            var candidates = try ordered(
                """
                SELECT sel.pos, \(Self.candidateColumns(breakdowns: parts.contains(.details)))
                FROM sel JOIN candidate_status k ON k.commune = sel.code ORDER BY sel.pos
                """
            ) { try CandidateRecord(candidateColumns: $0, from: 1) }
            var contours = try ordered(
                if: parts.contains(.geometry),
                "SELECT sel.pos, t.geometry FROM sel JOIN contour t ON t.commune = sel.code ORDER BY sel.pos, t.code"
            ) { $0[1] as String }
            let rows = try Row.fetchCursor(
                db,
                sql: selection + """
                    SELECT sel.pos, c.code, c.name, c.dep, c.reg,
                        (SELECT SUM(pmun) FROM population p WHERE p.commune = c.code AND p.year = ?) AS population,
                        (SELECT lat FROM centroid ce WHERE ce.commune = c.code
                            ORDER BY ce.code = ce.commune DESC LIMIT 1) AS lat,
                        (SELECT lon FROM centroid ce WHERE ce.commune = c.code
                            ORDER BY ce.code = ce.commune DESC LIMIT 1) AS lon,
                        (SELECT 1 FROM meeting_loss m WHERE m.commune = c.code) AS lost_meeting,
                        (SELECT 1 FROM cafe_known ck WHERE ck.commune = c.code) AS cafe_known
                    FROM sel JOIN commune c ON c.code = sel.code AND c.vintage = ? AND c.type = 'COM'
                    ORDER BY sel.pos
                    """, arguments: arguments + [popYear, targetVintage])
            while let r = try rows.next() {
                let pos: Int = r["pos"]
                let population: Int? = r["population"]
                try body(
                    ExportRow(
                        code: r["code"], name: r["name"], dep: r["dep"], reg: r["reg"], population: population,
                        populationYear: population == nil ? nil : popYear, lat: r["lat"], lon: r["lon"],
                        flags: Dictionary(try flags.take(pos), uniquingKeysWith: { a, _ in a }),
                        nearestKm: Dictionary(try access.take(pos), uniquingKeysWith: { a, _ in a }),
                        lostMeetingPlace: (r["lost_meeting"] as Int?) == 1, cafeKnown: (r["cafe_known"] as Int?) == 1,
                        candidate: try candidates.take(pos).first,
                        geometries: try contours.take(pos)))
            }
        }
    }
}

/// Rows of a cursor sorted by their first column (`pos`), handed out one position at a time:
/// the merge side of a merge join.
private struct OrderedRows<T> {
    /// Nil: no rows.
    private let cursor: RowCursor?
    private let value: (Row) throws -> T
    private var pending: (pos: Int, value: T)?

    init(_ cursor: RowCursor?, _ value: @escaping (Row) throws -> T) {
        self.cursor = cursor
        self.value = value
    }

    /// The values at `pos`, skipping any before it.
    mutating func take(_ pos: Int) throws -> [T] {
        var out: [T] = []
        while true {
            if pending == nil {
                guard let row = try cursor?.next() else { return out }
                pending = (row[0], try value(row))
            }
            guard let (p, v) = pending, p <= pos else { return out }
            if p == pos { out.append(v) }
            pending = nil
        }
    }
}
