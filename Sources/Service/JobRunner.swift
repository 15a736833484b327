import Export
import Foundation
import Logging
import Pipeline
import Store

/// Runs ingestion jobs one at a time, whoever asks (the scheduler or the API), and re-runs the
/// analysis and exports when anything changed.
public actor JobRunner {
    private let configs: ConfigHolder
    private let store: Store
    private let logger: Logger
    private let notifier: SystemdNotifier
    private var tail: Task<[SourceReport], Error>?
    public private(set) var running: String?

    public init(configs: ConfigHolder, store: Store, logger: Logger, notifier: SystemdNotifier) {
        self.configs = configs
        self.store = store
        self.logger = logger
        self.notifier = notifier
    }

    /// Ingests `sources` (all when empty) after any job already queued, then analyses and exports
    /// if something was loaded. Returns the per-source reports.
    @discardableResult
    public func ingest(_ sources: [String], force: Bool = false) async throws -> [SourceReport] {
        let previous = tail
        let task = Task { [configs, store, logger, notifier] () -> [SourceReport] in
            _ = try? await previous?.value
            let config = configs.current
            let label = sources.isEmpty ? "all sources" : sources.joined(separator: ", ")
            notifier.notify("STATUS=ingesting \(label)")
            await self.setRunning(label)
            defer { Task { await self.setRunning(nil) } }
            let reports = try await IngestionJob(config: config, store: store, logger: logger).run(
                sources: sources, force: force)
            if reports.contains(where: { $0.outcome == .loaded }) {
                notifier.notify("STATUS=analysing")
                _ = try await analyze(config: config, store: store, logger: logger)
                for export in config.exports {
                    let rows = try await Exporter(store: store, targetVintage: config.targetVintage).write(export)
                    logger.info("export written", metadata: ["path": "\(export.output)", "communes": "\(rows)"])
                }
            }
            let failed = reports.filter { $0.outcome == .failed }.map(\.name)
            notifier.notify(
                "STATUS=idle; last job: \(label)"
                    + (failed.isEmpty ? " ok" : ", failed: \(failed.joined(separator: ", "))"))
            return reports
        }
        tail = task
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    private func setRunning(_ label: String?) { running = label }
}
