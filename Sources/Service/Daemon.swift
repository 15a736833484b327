import Dispatch
import Foundation
import Hummingbird
import Logging
import Pipeline
import ServiceLifecycle
import Store

/// `ruralmapd serve`: the scheduler, the HTTP API, systemd notifications and the watchdog in one
/// service group that shuts down gracefully on SIGTERM/SIGINT and reloads its config on SIGHUP.
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
        let runner = JobRunner(configs: configs, store: store, logger: logger, notifier: notifier)
        let metrics = RequestMetrics()
        let (host, port) = try Self.parse(listen: config.api.listen)
        let api = APIServer(configs: configs, store: store, runner: runner, metrics: metrics, logger: logger)
        let scheduler = Scheduler(configs: configs, store: store, runner: runner, logger: logger)
        let reload = reloadOnHangup()
        defer { reload.cancel() }
        let app = Application(
            router: api.router(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: [scheduler, Watchdog(notifier: notifier)],
            onServerRunning: { [notifier, logger] channel in
                logger.info("listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
                notifier.notify("READY=1\nSTATUS=idle, listening on \(host):\(channel.localAddress?.port ?? port)")
            },
            logger: logger)
        logger.info(
            "ruralmapd started", metadata: ["version": "\(RuralmapVersion.current)", "store": "\(config.storePath)"])
        do {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            notifier.notify("STOPPING=1")
            throw error
        }
        notifier.notify("STOPPING=1")
        logger.info("ruralmapd stopped")
    }

    /// SIGHUP: reload the config; an invalid one is refused with a log line and the old one stays.
    private func reloadOnHangup() -> DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { [configs, logger, notifier] in
            notifier.notify("RELOADING=1")
            switch configs.reload() {
            case .success(let config):
                logger.info("config reloaded", metadata: ["sources": "\(config.sources.count)"])
            case .failure(let error):
                logger.error("config reload refused, keeping the previous one", metadata: ["error": "\(error)"])
            }
            notifier.notify("READY=1")
        }
        source.resume()
        return source
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

/// Pings systemd's watchdog every half `WATCHDOG_USEC` while the process is healthy.
struct Watchdog: Service {
    let notifier: SystemdNotifier

    func run() async throws {
        guard let interval = notifier.watchdogInterval else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            notifier.notify("WATCHDOG=1")
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
