import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP (`systemctl reload`) re-reads the config; an invalid one is refused with a log line
/// saying why, and the one in force stays.
struct ConfigReloader: Service {
    let configs: ConfigHolder
    let logger: Logger
    let notifier: SystemdNotifier

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            notifier.notify("RELOADING=1")
            switch configs.reload() {
            case .success(let config):
                logger.info("config reloaded", metadata: ["sources": "\(config.sources.count)"])
            case .failure(let error):
                logger.error("config reload refused, keeping the previous one", metadata: ["error": "\(error)"])
            }
            notifier.notify("READY=1")
        }
    }
}
