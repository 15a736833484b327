import Analysis
import Export
import Foundation
import Logging
import Store
import Territory

/// The main job (`ruralmapd run`, the daemon's cycle): ingest what changed, analyse, export.
public struct MainJob: Sendable {
    public let config: Config
    public let store: Store
    public let logger: Logger

    public init(config: Config, store: Store, logger: Logger) {
        self.config = config
        self.store = store
        self.logger = logger
    }

    public struct Result: Sendable {
        public var reports: [SourceReport]
        public var analysis: AnalysisSummary?
        /// Each export written: its file, and its rows (communes, or sites).
        public var exports: [(path: String, rows: Int, what: ExportSelection)]
        public var failed: Bool { reports.contains { $0.outcome == .failed } }
        public var summary: String {
            var lines = [Summary.ingestion(reports)]
            if let analysis { lines.append(analysis.text) }
            for e in exports {
                lines.append("exported \(e.rows) \(e.what == .sites ? "sites" : "communes") to \(e.path)")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Ingests `sources` (all when empty), then analyses and exports when anything was loaded, when
    /// forced, or when no analysis exists yet: the one place where ingestion leads to analysis
    /// (the CLI's `run` and the daemon's jobs both come here).
    /// - Parameter lock: the store's lock when the caller took it already (the daemon's queue
    ///   takes it when it accepts a job); else the job takes it.
    /// - Throws: ``IngestionBusy`` when another job holds the store's lock; ``ConfigError`` for an
    ///   unknown source; per-source failures are in the reports.
    public func run(sources: [String] = [], force: Bool = false, lock: IngestionLock? = nil) async throws -> Result {
        try await locked(lock) { lock in
            let reports = try await IngestionJob(config: config, store: store, logger: logger, lock: lock)
                .run(sources: sources, force: force)
            var result = Result(reports: reports, analysis: nil, exports: [])
            let loaded = reports.contains { $0.outcome == .loaded }
            let analysed = try await store.hasAnalysis()
            if loaded || force || !analysed {
                try Task.checkCancellation()
                result.analysis = try await analyze(holding: lock)
                for export in config.exports {
                    let rows = try await Exporter(store: store, targetVintage: config.targetVintage).write(export)
                    logger.info(
                        "export written",
                        metadata: ["path": "\(export.output)", "what": "\(export.what.rawValue)", "rows": "\(rows)"])
                    result.exports.append((export.output, rows, export.what))
                }
            }
            return result
        }
    }

    /// Ingests `sources` (all when empty), without analysing (`ruralmapd ingest`).
    /// - Throws: as ``run(sources:force:)``.
    public func ingest(sources: [String] = [], force: Bool = false) async throws -> [SourceReport] {
        try await locked(nil) { lock in
            try await IngestionJob(config: config, store: store, logger: logger, lock: lock)
                .run(sources: sources, force: force)
        }
    }

    /// Runs the analysis on the store and saves its results (`ruralmapd analyze`).
    /// - Throws: ``IngestionBusy`` when another job holds the store's lock.
    public func analyze() async throws -> AnalysisSummary {
        try await locked(nil) { try await analyze(holding: $0) }
    }

    /// Runs `body` holding the store's lock (`held`, or taken here), released when it ends; first,
    /// now that no other job runs, clears what a stopped one left. The lock is the store's, not
    /// the config's: a reload cannot part them.
    private func locked<T>(_ held: IngestionLock?, _ body: (IngestionLock) async throws -> T) async throws -> T {
        let lock = try held ?? IngestionLock(storePath: store.path)
        defer { lock.release() }
        try await store.removeStaleGenerations()
        return try await body(lock)
    }

    /// The inputs read and analysed in a scope of their own: the sites and counts (most of the
    /// analysis's memory) are freed before the results are saved.
    private func readAndAnalyze() async throws -> (communes: [CommuneFacts], result: Analyzer.Result) {
        let input = try await store.analysisInputs(targetVintage: config.targetVintage)
        let communes = input.communes
        return (communes, try Analyzer(settings: config.analysis).analyze(consume input))
    }

    /// The analysis, for a caller that holds the store's lock (the parameter says so).
    private func analyze(holding _: IngestionLock) async throws -> AnalysisSummary {
        let started = Date()
        logger.info("analysis start")
        let (communes, result) = try await readAndAnalyze()
        let known = try await store.knownFlags()
        let watch = WatchUpdate(
            known: known, result: result, communes: communes, watched: Set(config.alerts.categories))
        let alerts = watch.alerts
        try await store.saveAnalysis(
            result, communes: communes.count, watch: watch, webhooks: config.webhooks.map { ($0.name, $0.filter) })
        let summary = AnalysisSummary(
            communes: communes.count, candidates: result.candidates.count,
            lostMeetingPlaces: result.lostMeetingPlace.count, alerts: alerts.count, vintageFrom: result.vintageFrom,
            vintageTo: result.vintageTo, seconds: Date().timeIntervalSince(started))
        logger.info(
            "analysis end",
            metadata: [
                "communes": "\(summary.communes)", "candidates": "\(summary.candidates)", "alerts": "\(alerts.count)",
                "seconds": "\(String(format: "%.2f", summary.seconds))",
            ])
        return summary
    }
}

/// What an analysis found, in figures.
public struct AnalysisSummary: Sendable {
    public var communes: Int
    public var candidates: Int
    public var lostMeetingPlaces: Int
    /// Alerts found since the previous analysis.
    public var alerts: Int
    public var vintageFrom: Int?
    public var vintageTo: Int?
    public var seconds: Double

    public var text: String {
        let vintages = "\(vintageFrom.map(String.init) ?? "?")→\(vintageTo.map(String.init) ?? "?")"
        return
            "analysis: \(communes) communes, vintages \(vintages), \(lostMeetingPlaces) lost their last meeting place, "
            + "\(candidates) candidates, \(alerts) new alert\(alerts == 1 ? "" : "s") (\(String(format: "%.1f", seconds)) s)"
    }
}

/// Text summaries for the terminal.
public enum Summary {
    public static func ingestion(_ reports: [SourceReport]) -> String {
        TextTable(
            ["source", "kind", "outcome", "read", "loaded", "rejected", "unmapped", "coverage", "seconds", "error"],
            reports.map { r in
                [
                    r.name, r.kind.rawValue, r.outcome.rawValue, String(r.rowsRead), String(r.rowsLoaded),
                    String(r.rowsRejected),
                    String(r.unmapped.count), r.coverage.map { coverage($0, lacking: r.lacking) } ?? "",
                    String(format: "%.1f", r.seconds), r.error ?? "",
                ]
            }
        ).render()
    }

    /// `national`, or how many départements a file covers (which, when few) and which it lacks.
    public static func coverage(_ coverage: Coverage, lacking: [String]) -> String {
        guard case .departements(let covered) = coverage else { return "national" }
        func list(_ codes: [String]) -> String {
            codes.count <= 8 ? codes.joined(separator: " ") : codes.prefix(8).joined(separator: " ") + " …"
        }
        let which = covered.count <= 8 ? " (\(list(covered.sorted())))" : ""
        return "\(covered.count) dép.\(which)" + (lacking.isEmpty ? "" : ", lacks \(lacking.count): \(list(lacking))")
    }
}
