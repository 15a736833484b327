/// A commune's loss flag for one category.
public struct FlagRecord: Sendable, Equatable {
    public var commune: String
    public var category: String
    /// `lost`, `never`, `kept`, `gained`, `downgraded` or `unknown`.
    public var flag: String
    public var from: Int?
    public var to: Int?
    /// Sources that had data for the comparison, comma-separated.
    public var sources: String?
    /// When sources disagree on today's presence, what each said (`sirene=1 osm=0`).
    public var disagreement: String?

    public init(
        commune: String, category: String, flag: String, from: Int?, to: Int?, sources: String?, disagreement: String?
    ) {
        self.commune = commune
        self.category = category
        self.flag = flag
        self.from = from
        self.to = to
        self.sources = sources
        self.disagreement = disagreement
    }
}

/// Distance to the nearest site of a category, and the population around without one.
public struct AccessRecord: Sendable, Equatable {
    public var commune: String
    public var category: String
    public var nearestKm: Double?
    public var catchmentWithout: Int?

    public init(commune: String, category: String, nearestKm: Double?, catchmentWithout: Int?) {
        self.commune = commune
        self.category = category
        self.nearestKm = nearestKm
        self.catchmentWithout = catchmentWithout
    }
}

/// A candidate commune as kept across analyses, with the field team's status and note.
public struct CandidateRecord: Sendable, Equatable {
    public static let statuses = ["new", "contacted", "feasibility", "opened", "rejected"]

    public var commune: String
    public var score: Double
    public var rank: Int?
    public var breakdown: [ScoreTerm]
    public var status: String
    public var note: String?
    public var firstSeen: String
    public var lastSeen: String
    /// False once the commune left the list (kept, never deleted).
    public var listed: Bool
    /// Whether a café source covers the commune: if not, passing the "no café" gate means only
    /// that no café is known.
    public var cafeKnown: Bool

    public init(
        commune: String, score: Double, rank: Int?, breakdown: [ScoreTerm], status: String, note: String?,
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
    public var commune: String
    public var score: Double
    public var breakdown: [ScoreTerm]

    public init(commune: String, score: Double, breakdown: [ScoreTerm]) {
        self.commune = commune
        self.score = score
        self.breakdown = breakdown
    }
}
