import Foundation
import Logging
import Pipeline
import ServiceLifecycle
import Store
import Synchronization

/// The daemon's one queue of ingestion jobs: the scheduler and the API submit to it, and it runs
/// them one at a time (each the main job: ingest, then analyse and export if anything loaded).
/// A `Service` of the daemon's group: on SIGTERM the running job is cancelled — the rows its
/// load wrote are deleted and the previous data stays — and queued jobs fail with
/// `CancellationError`.
public final class JobQueue: Service, Sendable {
    private struct Job {
        var sources: [String]
        var force: Bool
        /// The store's lock, when taken as the job was accepted (else the job takes it).
        var lock: IngestionLock?
        var done: @Sendable (Result<MainJob.Result, any Error>) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var running = false
        var finished = false
    }

    private let configs: ConfigHolder
    private let store: Store
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let state = Mutex(State())
    /// Rung once per job submitted: the queue sleeps on it.
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    public init(configs: ConfigHolder, store: Store, logger: Logger, notifier: SystemdNotifier) {
        self.configs = configs
        self.store = store
        self.logger = logger
        self.notifier = notifier
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .unbounded)
    }

    /// Runs `sources` (all when empty) after the jobs already queued and returns its result.
    /// - Throws: `CancellationError` when the daemon stops first; the job's own errors.
    public func run(_ sources: [String], force: Bool = false) async throws -> MainJob.Result {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(Job(sources: sources, force: force) { continuation.resume(with: $0) })
        }
    }

    /// Starts `sources` now, unless a job is running or waiting here or in another process: then
    /// ``IngestionBusy`` says who. The store's lock is taken here, in the same step as the check,
    /// so that of two requests at once one is refused. The job's outcome goes to the log, the
    /// store and the metrics.
    public func start(_ sources: [String]) throws {
        let path = store.path
        let refused = try state.withLock { s -> Job? in
            guard !s.running && s.pending.isEmpty else {
                throw IngestionBusy(holder: IngestionLock.recordedHolder(storePath: path))
            }
            let job = Job(sources: sources, force: false, lock: try IngestionLock(storePath: path)) { [logger] result in
                if case .failure(let error) = result {
                    logger.error("API-started job failed", metadata: ["error": "\(error)"])
                }
            }
            guard !s.finished else { return job }
            s.pending.append(job)
            return nil
        }
        // A stopping queue runs nothing more.
        if let refused { refused.done(.failure(CancellationError())) } else { ring.yield() }
    }

    private func enqueue(_ job: Job) {
        let accepted = state.withLock { s in
            guard !s.finished else { return false }
            s.pending.append(job)
            return true
        }
        if accepted { ring.yield() } else { job.done(.failure(CancellationError())) }
    }

    public func run() async throws {
        for await _ in doorbell.cancelOnGracefulShutdown() {
            while let job = state.withLock({ $0.pending.isEmpty ? nil : $0.pending.removeFirst() }) {
                let label = Self.label(job.sources)
                state.withLock { $0.running = true }
                notifier.notify("STATUS=ingesting \(label)")
                let result: Result<MainJob.Result, any Error>
                do {
                    result = .success(
                        try await cancelWhenGracefulShutdown {
                            try await MainJob(config: self.configs.current, store: self.store, logger: self.logger)
                                .run(sources: job.sources, force: job.force, lock: job.lock)
                        })
                } catch {
                    result = .failure(error)
                }
                state.withLock { $0.running = false }
                let failed = (try? result.get())?.reports.filter { $0.outcome == .failed }.map(\.name) ?? []
                notifier.notify(
                    "STATUS=idle; last job: \(label)"
                        + (failed.isEmpty ? " ok" : ", failed: \(failed.joined(separator: ", "))"))
                job.done(result)
                if Task.isShuttingDownGracefully { break }
            }
            if Task.isShuttingDownGracefully { break }
        }
        // Stopping: the jobs still waiting will not run.
        let left = state.withLock { s in
            s.finished = true
            defer { s.pending = [] }
            return s.pending
        }
        for job in left { job.done(.failure(CancellationError())) }
    }

    private static func label(_ sources: [String]) -> String {
        sources.isEmpty ? "all sources" : sources.joined(separator: ", ")
    }
}
