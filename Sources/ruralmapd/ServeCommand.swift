import ArgumentParser
import Pipeline
import Service

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run as a daemon: scheduled ingestion, HTTP API, systemd notify and watchdog.",
        discussion: "SIGTERM/SIGINT stop gracefully; SIGHUP reloads the config (an invalid one is refused and logged).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (config, logger) = try global.loadOrFail()
        try await Daemon(config: config, logger: logger).run()
    }
}
