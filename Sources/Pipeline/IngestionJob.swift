import Adapters
import Catalog
import Fetching
import Formats
import Foundation
import Logging
import Store
import Territory

/// What happened to one source in a job.
public struct SourceReport: Sendable {
    public var name: String
    public var kind: SourceKind
    public var outcome: RunState
    public var rowsRead: Int
    public var rowsLoaded: Int
    public var rowsRejected: Int
    public var unmapped: [UnmappedCode]
    public var error: String?
    public var seconds: Double
    /// The territory the loaded file describes, and the départements of the target geography it
    /// lacks (their communes are unknown to it, never "lost").
    public var coverage: Coverage?
    public var lacking: [String] = []
}

/// Downloads and loads sources: fetch (conditional), parse, translate, and load as a new
/// generation of the source's data, made current at once when complete.
///
/// Sources run one at a time in dependency order (geography first). When the geography changes,
/// the sources placed on it are re-read from the archive so that every code is translated anew.
/// Run through ``MainJob``, which holds the ingestion lock the job needs.
struct IngestionJob: Sendable {
    let config: Config
    let store: Store
    let logger: Logger
    /// The store's lock, which the caller holds for the whole job: no other process loads or
    /// analyses meanwhile (asking for it here makes a job without it impossible to write).
    let lock: IngestionLock

    private var fetcher: Fetcher {
        Fetcher(
            cacheDirectory: config.cacheDirectory, archive: DownloadArchive(directory: config.archiveDirectory),
            options: config.fetch, logger: logger)
    }

    /// Ingests `names` (all sources when empty). `force` re-parses unchanged files (see
    /// ``ingest(_:force:reread:mapping:)``).
    /// - Throws: ``ConfigError`` for an unknown source name; per-source failures are reported, not thrown.
    func run(sources names: [String] = [], force: Bool = false) async throws -> [SourceReport] {
        for name in names where !config.sources.contains(where: { $0.name == name }) {
            throw ConfigError(
                line: nil, "unknown source \(name) (configured: \(config.sources.map(\.name).joined(separator: ", ")))",
                file: config.path)
        }
        let mapping = try config.categoryMapping()
        try await store.writeCategoryMapping(mapping)
        let selected = config.sources.filter { names.isEmpty || names.contains($0.name) }.sorted {
            $0.kind.order < $1.kind.order
        }
        var reports: [SourceReport] = []
        var geographyChanged = false
        var placesChanged = false
        for source in selected {
            try Task.checkCancellation()
            let reread = (geographyChanged && !source.kind.isReference) || (placesChanged && source.kind == .osm)
            let report = await ingest(source, force: force, reread: reread, mapping: mapping)
            if report.outcome == .loaded {
                if source.kind.isReference { geographyChanged = true }
                if source.kind == .contours || source.kind == .centroids { placesChanged = true }
            }
            reports.append(report)
        }
        let kept = try await store.loadedHashes()
        let pruned = DownloadArchive(directory: config.archiveDirectory).prune(
            olderThanDays: config.archiveRetentionDays, keep: kept)
        if pruned > 0 { logger.info("archive pruned", metadata: ["files": "\(pruned)"]) }
        return reports
    }

    /// Ingests one source: `force` (the user's) downloads a URL again and parses the file even
    /// when unchanged; `reread` (a new geography) parses it again, from its archived copy when the
    /// server or the file's fingerprint says it is unchanged.
    private func ingest(
        _ source: SourceConfig, force: Bool, reread: Bool, mapping: CategoryMapping
    ) async
        -> SourceReport
    {
        let started = Date()
        logger.info(
            "ingest start",
            metadata: ["source": "\(source.name)", "kind": "\(source.kind.rawValue)", "url": "\(source.url)"])
        var report = SourceReport(
            name: source.name, kind: source.kind, outcome: .failed, rowsRead: 0, rowsLoaded: 0, rowsRejected: 0,
            unmapped: [], error: nil, seconds: 0)
        var runID: Int64?
        var outcome = RunOutcome(outcome: .failed)
        do {
            runID = try await store.beginRun(
                source: source.name, kind: source.kind, url: source.url, vintage: source.vintage)
            let loaded = try await store.sourceState(source.name)
            let archive = DownloadArchive(directory: config.archiveDirectory)
            // The download is conditional, but a reload needs the archived copy when nothing new
            // comes. Forced, a local file unchanged since its last load is parsed again from that
            // copy instead of being copied again (a national BPE's copy was 1.3 s of a 10 s reload,
            // and 778 MB written); a URL is downloaded again: `--force` is also the way past a
            // server whose validators stay the same when its file changes.
            var archived = false
            if let loaded {
                archived = archive.holds(loaded.sha256, bytes: try await store.downloadedSize(sha256: loaded.sha256))
            }
            var conditional = false
            if let loaded, loaded.url == source.url {
                conditional = force ? source.isLocalFile && archived : !reread || archived
            }
            let validators = conditional ? loaded.map { Validators(etag: $0.etag, lastModified: $0.lastModified) } : nil
            let file: DownloadedFile
            switch try await fetcher.fetch(source.url, validators: validators, label: source.name) {
            case .notModified(let status):
                guard let loaded, archived else {
                    throw SourceError(
                        source: source.name,
                        "server answered 304 but no intact earlier copy is archived; retry with --force")
                }
                outcome = RunOutcome(outcome: .unchanged)
                outcome.httpStatus = status
                outcome.sha256 = loaded.sha256
                outcome.etag = loaded.etag
                outcome.lastModified = loaded.lastModified
                if !force && !reread {
                    try await store.finishRun(runID!, outcome)
                    return finished(report: &report, outcome, started: started)
                }
                file = DownloadedFile(
                    path: archive.path(for: loaded.sha256), sha256: loaded.sha256, bytes: 0, httpStatus: status,
                    validators: Validators(etag: loaded.etag, lastModified: loaded.lastModified), attempts: 1)
            case .downloaded(let downloaded):
                file = downloaded
                outcome.httpStatus = file.httpStatus
                outcome.sha256 = file.sha256
                outcome.bytes = file.bytes
                outcome.etag = file.validators.etag
                outcome.lastModified = file.validators.lastModified
                if !force && !reread, let loaded, loaded.sha256 == file.sha256 {
                    outcome.outcome = .unchanged
                    try await store.finishRun(runID!, outcome)
                    return finished(report: &report, outcome, started: started)
                }
            }
            outcome = try await load(source, file: file, runID: runID!, mapping: mapping, base: outcome)
        } catch {
            // A stopping daemon cancels the job: the load is abandoned, the previous data stays. A
            // download or a parse stopped by the cancellation throws its own error, hence the check.
            let cancelled = error is CancellationError || Task.isCancelled
            outcome.outcome = cancelled ? .cancelled : .failed
            outcome.error = cancelled ? "cancelled: the daemon stopped" : "\(error)"
            if let runID {
                // Recorded even though the task is cancelled (GRDB stops the accesses of a cancelled task).
                let (store, recorded) = (store, outcome)
                try? await Task.detached { try await store.finishRun(runID, recorded) }.value
            }
        }
        // The new data is in force and its run recorded: nothing after this may fail the run (the
        // report's coverage is only a description of it).
        if outcome.outcome == .loaded, let coverage = outcome.coverage,
            let geography = try? await store.departementCodes(targetVintage: config.targetVintage)
        {
            report.coverage = coverage.normalised(geography: geography)
            report.lacking = coverage.lacking(in: geography)
        }
        return finished(report: &report, outcome, started: started)
    }

    private func finished(report: inout SourceReport, _ outcome: RunOutcome, started: Date) -> SourceReport {
        report.outcome = outcome.outcome
        report.rowsRead = outcome.rowsRead
        report.rowsLoaded = outcome.rowsLoaded
        report.rowsRejected = outcome.rowsRejected
        report.unmapped = outcome.unmapped
        report.error = outcome.error
        report.seconds = Date().timeIntervalSince(started)
        var metadata: Logger.Metadata = [
            "source": "\(report.name)", "outcome": "\(report.outcome.rawValue)", "rows_read": "\(report.rowsRead)",
            "rows_loaded": "\(report.rowsLoaded)", "rows_rejected": "\(report.rowsRejected)",
            "seconds": "\(String(format: "%.2f", report.seconds))",
        ]
        if !report.unmapped.isEmpty { metadata["unmapped_codes"] = "\(report.unmapped.count)" }
        if let coverage = report.coverage {
            metadata["coverage"] = "\(Summary.coverage(coverage, lacking: report.lacking))"
        }
        if let error = report.error {
            metadata["error"] = "\(error)"
            logger.error("ingest end", metadata: metadata)
        } else {
            logger.info("ingest end", metadata: metadata)
        }
        return report
    }

    /// Parses the file and loads it as the source's new generation (see ``Store/load(_:_:)``).
    private func load(
        _ source: SourceConfig, file: DownloadedFile, runID: Int64, mapping: CategoryMapping, base: RunOutcome
    ) async throws -> RunOutcome {
        var translator: CodeTranslator?
        if !source.kind.isReference {
            translator = try await store.translator(targetVintage: config.targetVintage)
            guard translator != nil else {
                throw SourceError(
                    source: source.name,
                    "the target geography (COG \(config.targetVintage)) is not loaded: "
                        + "configure a cog-communes source with vintage = \(config.targetVintage)"
                )
            }
        }
        var locator: CommuneLocator?
        if source.kind == .osm {
            locator = CommuneLocator(contours: try await store.contours(), centroids: try await store.targetCentroids())
        }
        let progress = ProgressReporter(label: "\(source.name) parse", logger: logger, unit: .rows)
        defer { progress.finish() }
        let cancellation = CancellationFlag()
        let load = SourceLoad(
            spec: source.spec, declaredCoverage: source.coverage, path: file.path, base: base, translator: translator,
            locator: locator, mapping: mapping,
            maxExpandedBytes: max(config.fetch.maxBytes, 64 << 30), maxRejectRatio: config.maxRejectRatio,
            maxRejectsKept: config.maxRejectsKept, cancellation: cancellation, progress: progress)
        let state = SourceState(
            source: source.name, kind: source.kind, url: source.url, vintage: source.vintage,
            geography: source.spec.geographyYear, coverage: nil, runId: runID, sha256: file.sha256,
            etag: file.validators.etag, lastModified: file.validators.lastModified, loadedAt: "")
        return try await withTaskCancellationHandler {
            try await OffPool.run("load \(source.name)") { try store.load(state) { try load.run(into: $0) } }
        } onCancel: {
            cancellation.set()
        }
    }

    /// The adapter of `spec`'s kind. A BPE file's facilities are kept as points when their type
    /// maps to a category in the file's vintage; the others are only counted.
    static func adapter(for spec: SourceSpec, mapping: CategoryMapping) -> SourceAdapter {
        switch spec.kind {
        case .cogCommunes: CogCommunesAdapter()
        case .cogMouvements: MouvementsAdapter()
        case .population: PopulationAdapter()
        case .centroids: CentroidsAdapter()
        case .contours: ContoursAdapter()
        case .bpe: BPEAdapter(pointTypes: mapping.codes(source: .bpe, vintage: spec.vintage))
        case .sirene: SireneAdapter(activities: mapping.codes(source: .sirene))
        case .osm: OverpassAdapter(tags: mapping.codes(source: .osm))
        }
    }
}
