import Analysis
import Store
import Territory

/// One line of the candidate list: `ruralmapd candidates --json` and `GET /api/v1/candidates`.
public struct CandidateSummary: Sendable, Codable, Equatable {
    public var code: CommuneCode
    public var name: String
    @Nullable public var dep: String?
    @Nullable public var population: Int?
    public var score: Double
    @Nullable public var rank: Int?
    public var status: FieldStatus
    @Nullable public var note: String?
    /// False when no café source covers the commune: it passed the café gate only because no
    /// café is known there.
    public var cafeKnown: Bool

    public init(_ listed: ListedCandidate) {
        code = listed.info.code
        name = listed.info.name
        dep = listed.info.dep
        population = listed.info.population
        score = listed.candidate.score
        rank = listed.candidate.rank
        status = listed.candidate.status
        note = listed.candidate.note
        cafeKnown = listed.candidate.cafeKnown
    }
}
