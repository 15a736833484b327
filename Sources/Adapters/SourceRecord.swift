import Catalog
import Geo
import Territory

/// One unit of data read from a source, before translation to the target geography.
public enum SourceRecord: Sendable {
    case commune(CommuneRow)
    case mouvement(Mouvement)
    case population(code: CommuneCode, pmun: Int, pcap: Int?, ptot: Int?)
    case centroid(code: CommuneCode, name: String?, position: Coordinate)
    case contour(code: CommuneCode, name: String?, shape: MultiPolygon)
    /// The facilities of a BPE file in one commune, counted by type and sorted by type
    /// (``FacilityTally``): a record per commune, not per type (930,639 counts in the national
    /// point file, 34,917 communes) nor per row of a count file. A commune whose rows are not
    /// together in the file has a record for each run of them.
    case facilityCounts(code: CommuneCode, counts: [TypeCount])
    case site(Site)
}

/// A row of the COG commune list.
public struct CommuneRow: Sendable, Equatable {
    public var type: CommuneType
    public var code: CommuneCode
    public var name: String
    public var dep: String?
    public var reg: String?
    /// The commune a déléguée, associée or arrondissement belongs to.
    public var parent: CommuneCode?
}

/// One facility or establishment with its place and dates.
public struct Site: Sendable, Equatable {
    /// The commune code as the source gives it; nil when the source has none (OSM).
    public var code: CommuneCode?
    /// The source's own type: BPE TYPEQU, NAF code, or OSM `key=value`.
    public var type: String
    /// The site's identity in its source, stable from one edition to the next (never a line
    /// number): SIRET, OSM `node/123`, or a BPE row's SIRET or fingerprint.
    public var externalID: String
    /// Name (enseigne, usual name, OSM `name`); always nil for non-diffusible rows.
    public var name: String?
    /// Postal address on one line; always nil for non-diffusible rows.
    public var address: String?
    public var position: Coordinate?
    /// False when the position must not be used for distances (`_Z`/`_U`, poor geolocation).
    public var usableForDistance: Bool
    /// `YYYY-MM-DD` when known.
    public var opened: String?
    public var closed: String?
    public var active: Bool
    /// Whether personal fields were withheld (Sirene `[ND]`, BPE `P`).
    public var nonDiffusible: Bool

    public init(
        code: CommuneCode?, type: String, externalID: String, name: String?, address: String? = nil,
        position: Coordinate?, usableForDistance: Bool,
        opened: String? = nil, closed: String? = nil, active: Bool = true, nonDiffusible: Bool = false
    ) {
        self.code = code
        self.type = type
        self.externalID = externalID
        self.name = name
        self.address = address
        self.position = position
        self.usableForDistance = usableForDistance
        self.opened = opened
        self.closed = closed
        self.active = active
        self.nonDiffusible = nonDiffusible
    }
}

/// Where adapters send what they read. Implemented by the ingestion pipeline, which translates
/// codes and writes to the store; adapters never touch SQL.
public protocol RecordSink: AnyObject {
    /// Accepts a record read at `line` (CSV line, or feature index for JSON) that stands for
    /// `rows` rows of the file (more than one for facilities an adapter counted together; their
    /// line is then the row after the last one counted, or the last line).
    /// - Throws: when the load must stop: the store's error, or `CancellationError`.
    func emit(_ record: SourceRecord, line: Int, rows: Int) throws
    /// Records a row that could not be read, with the reason. Throws to abort the source.
    func reject(line: Int, reason: String) throws
}

extension RecordSink {
    /// Accepts a record read from one row, at `line`.
    /// - Throws: as ``emit(_:line:rows:)``.
    public func emit(_ record: SourceRecord, line: Int) throws { try emit(record, line: line, rows: 1) }
}

/// A source adapter: turns a source's bytes into records.
public protocol SourceAdapter {
    /// Reads everything; returns the number of rows (or features, or elements) read.
    /// - Throws: `FormatError` or ``SourceError`` when the file as a whole is unreadable.
    func read(_ input: ByteReaderInput, spec: SourceSpec, into sink: RecordSink) throws -> Int
}

/// An error about a source as a whole (wrong file, wrong header).
public struct SourceError: Error, CustomStringConvertible, Sendable {
    public let source: String
    public let message: String
    public init(source: String, _ message: String) {
        self.source = source
        self.message = message
    }
    public var description: String { "\(source): \(message)" }
}
