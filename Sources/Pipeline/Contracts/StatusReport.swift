import Catalog
import Store
import Territory

/// `ruralmapd status --json`: each configured source, the territory its data describes and its
/// last run.
public struct StatusReport: Sendable, Codable, Equatable {
    public var sources: [SourceStatus]
    /// Each configured webhook and how its alert deliveries stand.
    public var webhooks: [WebhookStatus]

    /// One `[[webhook]]` (its URL is not shown: it may hold a secret).
    public struct WebhookStatus: Sendable, Codable, Equatable {
        public var name: String
        public var pending: Int
        public var delivered: Int
        public var abandoned: Int
        /// Failed attempts since the last delivered one: a webhook that keeps failing shows here.
        public var consecutiveFailures: Int
        @Nullable public var lastAttemptAt: String?
        @Nullable public var lastError: String?
    }

    /// One configured source.
    public struct SourceStatus: Sendable, Codable, Equatable {
        public var name: String
        public var kind: SourceKind
        public var url: String
        public var vintage: Int
        /// `"national"`, or the départements the loaded file covers; null for the geography and
        /// for sources never loaded.
        @Nullable public var coverage: CoverageValue?
        @Nullable public var lastRun: RunSummary?
    }

    /// `"national"` or an array of départements.
    public enum CoverageValue: Sendable, Codable, Equatable {
        case national
        case departements([String])

        public init(_ coverage: Coverage) {
            switch coverage {
            case .national: self = .national
            case .departements(let set): self = .departements(set.sorted())
            }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            self = (try? c.decode(String.self)) == "national" ? .national : .departements(try c.decode([String].self))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .national: try c.encode("national")
            case .departements(let list): try c.encode(list)
            }
        }
    }

    /// How a run went.
    public struct RunSummary: Sendable, Codable, Equatable {
        public var outcome: RunState
        public var startedAt: String
        @Nullable public var finishedAt: String?
        @Nullable public var httpStatus: Int?
        @Nullable public var bytes: Int64?
        @Nullable public var sha256: String?
        @Nullable public var rowsRead: Int?
        @Nullable public var rowsLoaded: Int?
        @Nullable public var rowsRejected: Int?
        @Nullable public var error: String?

        public init(_ run: RunRecord) {
            outcome = run.outcome
            startedAt = run.startedAt
            finishedAt = run.finishedAt
            httpStatus = run.httpStatus
            bytes = run.bytes
            sha256 = run.sha256
            rowsRead = run.rowsRead
            rowsLoaded = run.rowsLoaded
            rowsRejected = run.rowsRejected
            error = run.error
        }
    }

    /// The status of every source of `config`.
    public static func load(config: Config, store: Store) async throws -> StatusReport {
        let last = try await store.lastRuns()
        let coverages = try await store.coverages(targetVintage: config.targetVintage)
        let health = Dictionary(
            try await store.webhookHealth().map { ($0.webhook, $0) }, uniquingKeysWith: { a, _ in a })
        return StatusReport(
            sources: config.sources.map { s in
                SourceStatus(
                    name: s.name, kind: s.kind, url: s.url, vintage: s.vintage,
                    coverage: coverages[s.name].map(CoverageValue.init), lastRun: last[s.name].map(RunSummary.init))
            },
            webhooks: config.webhooks.map { w in
                let h = health[w.name]
                return WebhookStatus(
                    name: w.name, pending: h?.pending ?? 0, delivered: h?.delivered ?? 0, abandoned: h?.abandoned ?? 0,
                    consecutiveFailures: h?.consecutiveFailures ?? 0, lastAttemptAt: h?.lastAttemptAt,
                    lastError: h?.lastError)
            })
    }
}
