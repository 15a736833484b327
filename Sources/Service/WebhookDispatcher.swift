import Logging
import Pipeline
import ServiceLifecycle
import Store
import Synchronization

/// The daemon's sender of alert deliveries: looks for deliveries due every `[alerts] poll`
/// seconds and sends them (see ``WebhookDispatch``), one lane per webhook: a receiver that is
/// slow or never answers holds up only its own deliveries. A service of its own, apart from the
/// job queue, so that it delays no ingestion; deliveries queued by a job the CLI ran are sent too.
struct WebhookDispatcher: Service {
    let configs: ConfigHolder
    let store: Store
    let logger: Logger

    func run() async throws {
        let busy = BusyWebhooks()
        await withDiscardingTaskGroup { lanes in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let dispatch = WebhookDispatch(config: configs.current, store: store, logger: logger)
                do {
                    for (webhook, deliveries) in try await dispatch.due(excluding: busy.all)
                    where busy.take(webhook) {
                        lanes.addTask {
                            defer { busy.release(webhook) }
                            do {
                                try await cancelWhenGracefulShutdown { try await dispatch.deliver(deliveries) }
                            } catch is CancellationError {
                            } catch {
                                logger.error(
                                    "alert deliveries failed", metadata: ["webhook": "\(webhook)", "error": "\(error)"])
                            }
                        }
                    }
                } catch {
                    logger.error("alert deliveries failed", metadata: ["error": "\(error)"])
                }
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .seconds(dispatch.config.alerts.poll))
                }
            }
        }
    }
}

/// The webhooks whose lane is sending.
private final class BusyWebhooks: Sendable {
    private let names = Mutex<Set<String>>([])

    /// Marks `webhook` busy; false if it already was.
    func take(_ webhook: String) -> Bool { names.withLock { $0.insert(webhook).inserted } }

    func release(_ webhook: String) { _ = names.withLock { $0.remove(webhook) } }

    var all: Set<String> { names.withLock { $0 } }
}
