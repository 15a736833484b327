import Analysis
import Store

/// How a commune is coloured on the map.
public enum MapStatus: String, Sendable, CaseIterable {
    /// A listed candidate (coloured by its rank class).
    case candidate
    /// Had a café, bar or restaurant and has none now.
    case lostMeeting = "lost_meeting"
    /// Lost another everyday service (grocery, bakery, post office…).
    case lostServices = "lost_services"
    case noLoss = "no_loss"
}

/// What the map shows of one commune: its status, its candidacy and what it lacks.
public struct MapCommune: Sendable {
    public var code: String
    public var name: String
    public var dep: String?
    public var population: Int?
    public var status: MapStatus
    public var candidate: CandidateRecord?
    /// Categories flagged lost between the vintages compared.
    public var lost: [String]
    /// Categories absent today (lost or never present).
    public var missing: [String]
    /// Whether a café source covers the commune.
    public var cafeKnown: Bool

    /// Classifies an export row; candidates are only shown as such on a candidates map.
    public init(_ row: ExportRow, layer: MapLayer) {
        code = row.code
        name = row.name
        dep = row.dep
        population = row.population
        candidate = row.candidate
        cafeKnown = row.cafeKnown
        lost = row.flags.filter { $0.value == "lost" }.map(\.key).sorted()
        missing = row.flags.filter { $0.value == "lost" || $0.value == "never" }.map(\.key).sorted()
        if layer == .candidates, let c = row.candidate, c.listed, c.rank != nil {
            status = .candidate
        } else if row.lostMeetingPlace {
            status = .lostMeeting
        } else if lost.contains(where: { !Analyzer.meetingPlaces.contains($0) }) {
            status = .lostServices
        } else {
            status = .noLoss
        }
    }

    /// The JSON object the page's table and filters read.
    public var json: [String: Any] {
        var o: [String: Any] = [
            "code": code, "name": name, "status": status.rawValue, "lost": lost, "missing": missing,
            "cafe_known": cafeKnown,
        ]
        o["dep"] = dep
        o["population"] = population
        if let c = candidate, c.listed {
            o["rank"] = c.rank
            o["score"] = c.score
            o["field_status"] = c.status
            o["note"] = c.note
        }
        return o
    }
}

/// Which statuses a map shows.
public enum MapLayer: String, Sendable, CaseIterable {
    /// Candidates by rank over losses.
    case candidates
    /// Losses only.
    case losses
}
