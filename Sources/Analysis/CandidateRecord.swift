import Territory

/// A candidate commune as kept across analyses, with the field team's status and note.
public struct CandidateRecord: Sendable, Equatable, Codable {
    public var commune: CommuneCode
    public var score: Double
    public var rank: Int?
    public var breakdown: [ScoreTerm]
    public var status: FieldStatus
    public var note: String?
    public var firstSeen: String
    public var lastSeen: String
    /// False once the commune left the list (kept, never deleted).
    public var listed: Bool
    /// Whether a café source covers the commune: if not, passing the "no café" gate means only
    /// that no café is known.
    public var cafeKnown: Bool

    public init(
        commune: CommuneCode, score: Double, rank: Int?, breakdown: [ScoreTerm], status: FieldStatus, note: String?,
        firstSeen: String, lastSeen: String, listed: Bool, cafeKnown: Bool
    ) {
        self.commune = commune
        self.score = score
        self.rank = rank
        self.breakdown = breakdown
        self.status = status
        self.note = note
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.listed = listed
        self.cafeKnown = cafeKnown
    }
}

/// A scored commune from an analysis, before it is merged with the kept candidates.
public struct ScoredCommune: Sendable {
    public var commune: CommuneCode
    public var score: Double
    /// The terms of its score (``ScoreTerm``), encoded as JSON as the store keeps them: 1.3 KB a
    /// candidate, where the terms themselves took 3 KB (50 MB for a national analysis's 16,500).
    public var breakdown: String

    public init(commune: CommuneCode, score: Double, breakdown: String) {
        self.commune = commune
        self.score = score
        self.breakdown = breakdown
    }
}
