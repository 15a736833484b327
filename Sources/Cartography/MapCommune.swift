import Analysis
import Catalog
import Formats
import Store
import Territory

/// How a commune is coloured on the map.
public enum MapStatus: String, Sendable, CaseIterable, Codable {
    /// A listed candidate (coloured by its rank class).
    case candidate
    /// Had a café, bar or restaurant and has none now.
    case lostMeeting = "lost_meeting"
    /// Lost another everyday service (grocery, bakery, post office…).
    case lostServices = "lost_services"
    case noLoss = "no_loss"
}

/// What the map shows of one commune: its status, its candidacy and what it lacks. The JSON
/// object the page's table and filters read (`GET /api/v1/map`).
public struct MapCommune: Sendable, Codable, Equatable {
    public var code: CommuneCode
    public var name: String
    public var dep: String?
    public var population: Int?
    public var status: MapStatus
    /// Categories flagged lost between the vintages compared.
    public var lost: [ServiceCategory]
    /// Categories absent today (lost or never present).
    public var missing: [ServiceCategory]
    /// Whether a café source covers the commune.
    public var cafeKnown: Bool
    /// The candidate's rank, score and field follow-up, for listed candidates only.
    public var rank: Int?
    public var score: Double?
    public var fieldStatus: FieldStatus?
    public var note: String?

    /// Classifies an export row (its absent flags are all it reads of them: a map reads no others);
    /// candidates are only shown as such on a candidates map.
    public init(_ row: ExportRow, layer: MapLayer) {
        code = row.code
        name = row.name
        dep = row.dep
        population = row.population
        cafeKnown = row.cafeKnown
        lost = row.flags.filter { $0.value == .lost }.map(\.key).sorted()
        missing = row.flags.filter(\.value.isAbsent).map(\.key).sorted()
        if let c = row.candidate, c.listed {
            rank = c.rank
            score = c.score
            fieldStatus = c.status
            note = c.note
        }
        if layer == .candidates, rank != nil {
            status = .candidate
        } else if row.lostMeetingPlace {
            status = .lostMeeting
        } else if lost.contains(where: { !ServiceCategory.meetingPlaces.contains($0) }) {
            status = .lostServices
        } else {
            status = .noLoss
        }
    }
}

/// Which statuses a map shows.
public enum MapLayer: String, Sendable, CaseIterable, Codable {
    /// Candidates by rank over losses.
    case candidates
    /// Losses only.
    case losses
}

extension MapCommune {
    /// The object as the API's contract encoder writes it (snake_case keys in sorted order, absent
    /// optionals left out), written by hand: `JSONEncoder` was the largest part of a whole-France
    /// map's time and memory.
    public var json: String {
        var o = JSONObjectText(capacity: 256)
        o.add("cafe_known", cafeKnown)
        o.add("code", code.rawValue)
        if let dep { o.add("dep", dep) }
        if let fieldStatus { o.add("field_status", fieldStatus.rawValue) }
        o.add("lost", strings: lost.lazy.map(\.rawValue))
        o.add("missing", strings: missing.lazy.map(\.rawValue))
        o.add("name", name)
        if let note { o.add("note", note) }
        if let population { o.add("population", population) }
        if let rank { o.add("rank", rank) }
        if let score { o.add("score", score) }
        o.add("status", status.rawValue)
        return o.closed
    }
}
