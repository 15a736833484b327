import Analysis
import Store

/// One line of the candidate list: `ruralmapd candidates --json` and `GET /api/v1/candidates`.
public struct CandidateSummary: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var dep: String?
    public var population: Int?
    public var score: Double
    public var rank: Int?
    public var status: String
    public var note: String?
    /// False when no café source covers the commune: it passed the café gate only because no
    /// café is known there.
    public var cafeKnown: Bool

    public init(info: CommuneFacts, candidate: CandidateRecord) {
        code = info.code
        name = info.name
        dep = info.dep
        population = info.population
        score = candidate.score
        rank = candidate.rank
        status = candidate.status
        note = candidate.note
        cafeKnown = candidate.cafeKnown
    }

    enum CodingKeys: String, CodingKey {
        case code, name, dep, population, score, rank, status, note
        case cafeKnown = "cafe_known"
    }

    // Absent values are written as null: scripts read every key of the contract.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(name, forKey: .name)
        try c.encode(dep, forKey: .dep)
        try c.encode(population, forKey: .population)
        try c.encode(score, forKey: .score)
        try c.encode(rank, forKey: .rank)
        try c.encode(status, forKey: .status)
        try c.encode(note, forKey: .note)
        try c.encode(cafeKnown, forKey: .cafeKnown)
    }
}
