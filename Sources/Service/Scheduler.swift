import Foundation
import Logging
import Pipeline
import ServiceLifecycle
import Store

/// Fetches each source on its `schedule`, with jitter, one at a time. Next-run times live in the
/// store so that a restart does not re-download everything; a failing source backs off
/// exponentially (capped at its interval) and never blocks the others.
public struct Scheduler: Service {
    let configs: ConfigHolder
    let store: Store
    let queue: JobQueue
    let logger: Logger
    /// Upper bound on one sleep, so that a reloaded config is picked up promptly.
    let maxSleep: Duration
    /// Seconds before a job postponed by another process's job is tried again.
    static let busyRetry: Double = 60

    public init(
        configs: ConfigHolder, store: Store, queue: JobQueue, logger: Logger, maxSleep: Duration = .seconds(30)
    ) {
        self.configs = configs
        self.store = store
        self.queue = queue
        self.logger = logger
        self.maxSleep = maxSleep
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let config = configs.current
            var schedule = try await store.schedule()
            let now = Date()
            let scheduled = config.sources.filter { $0.schedule != nil }.sorted { $0.kind.order < $1.kind.order }
            let due = scheduled.filter { (schedule[$0.name]?.nextRun ?? .distantPast) <= now }
            if !due.isEmpty {
                // One job for everything due: a single analysis and export afterwards.
                var outcomes: [String: Bool] = [:]  // source → succeeded
                var postponed = false
                do {
                    let result = try await queue.run(due.map(\.name))
                    for r in result.reports { outcomes[r.name] = r.outcome != .failed }
                } catch is CancellationError {
                    break
                } catch let busy as IngestionBusy {
                    // Another process's job (a CLI run) is no fault of the sources: try again soon.
                    logger.notice("scheduled job postponed", metadata: ["reason": "\(busy)"])
                    postponed = true
                } catch {
                    logger.error("scheduled job failed", metadata: ["error": "\(error)"])
                }
                for source in due {
                    let interval = source.schedule!.seconds
                    var entry = schedule[source.name] ?? ScheduleEntry(source: source.name, nextRun: now, failures: 0)
                    if postponed {
                        entry.nextRun = Date().addingTimeInterval(min(interval, Self.busyRetry))
                    } else if outcomes[source.name] == true {
                        entry.failures = 0
                        entry.nextRun = Date().addingTimeInterval(
                            interval + Double.random(in: 0...min(interval * 0.1, 3600)))
                    } else {
                        entry.failures += 1
                        // 30 s, 60 s, 120 s… but never longer than the normal interval.
                        entry.nextRun = Date().addingTimeInterval(
                            min(interval, 30 * pow(2, Double(entry.failures - 1))))
                        logger.warning(
                            "source failed, will retry",
                            metadata: [
                                "source": "\(source.name)", "failures": "\(entry.failures)",
                                "next_run": "\(entry.nextRun)",
                            ])
                    }
                    try await store.setSchedule(entry)
                    schedule[source.name] = entry
                }
            }
            let nextDue = scheduled.compactMap { schedule[$0.name]?.nextRun }.min() ?? Date().addingTimeInterval(3600)
            let wait = max(0.2, min(nextDue.timeIntervalSinceNow, Double(maxSleep.components.seconds)))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        }
    }
}
