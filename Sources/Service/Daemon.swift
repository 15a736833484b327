import Foundation
import Hummingbird
import Logging
import Pipeline
import ServiceLifecycle
import Store

/// `ruralmapd serve`: the job queue, the scheduler, the HTTP API, the config reloader, the
/// systemd watchdog and the sender of alert deliveries, one service group that shuts down gracefully on SIGTERM/SIGINT.
public struct Daemon: Sendable {
    let configs: ConfigHolder
    let logger: Logger
    let notifier: SystemdNotifier

    public init(config: Config, logger: Logger, notifier: SystemdNotifier = SystemdNotifier()) {
        configs = ConfigHolder(config, path: config.path)
        self.logger = logger
        self.notifier = notifier
    }

    /// Runs until a termination signal.
    /// - Throws: ``DaemonError`` when the listen address is invalid; store and bind errors.
    public func run() async throws {
        let config = configs.current
        let store = try Store(path: config.storePath)  // migrations run here, before READY
        let queue = JobQueue(configs: configs, store: store, logger: logger, notifier: notifier)
        let (host, port) = try Self.parse(listen: config.api.listen)
        let api = APIServer(configs: configs, store: store, queue: queue, metrics: RequestMetrics(), logger: logger)
        let app = Application(
            router: try api.router(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: [
                queue, Scheduler(configs: configs, store: store, queue: queue, logger: logger),
                ConfigReloader(configs: configs, logger: logger, notifier: notifier), Watchdog(notifier: notifier),
                HeapTrimmer(),
                WebhookDispatcher(configs: configs, store: store, logger: logger),
            ],
            onServerRunning: { [notifier, logger] channel in
                logger.info("listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
                notifier.notify("READY=1\nSTATUS=idle, listening on \(host):\(channel.localAddress?.port ?? port)")
            },
            logger: logger)
        logger.info(
            "ruralmapd started", metadata: ["version": "\(RuralmapVersion.current)", "store": "\(config.storePath)"])
        defer {
            notifier.notify("STOPPING=1")
            logger.info("ruralmapd stopped")
        }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    static func parse(listen: String) throws -> (String, Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw DaemonError(message: "[api] listen must be HOST:PORT, got \(listen)")
        }
        return (String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }
}

/// A daemon start-up failure.
public struct DaemonError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
