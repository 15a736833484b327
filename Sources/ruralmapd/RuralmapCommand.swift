import ArgumentParser
import Foundation
import Logging
import Pipeline

struct Ruralmapd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ruralmapd",
        abstract: "Finds French villages that lost their café and services, and ranks where to re-open one.",
        discussion: """
            ruralmapd downloads the official commune datasets (INSEE COG, populations, BPE, Sirene, OpenStreetMap) \
            over libcurl, keeps every vintage in SQLite translated to one commune geography, flags losses, \
            ranks candidate communes and exports CSV / GeoJSON.

            The config is --config FILE, else $RURALMAPD_CONFIG, else /etc/ruralmapd/ruralmapd.toml.
            """,
        version: RuralmapVersion.current,
        subcommands: [
            Run.self, Ingest.self, Analyze.self, Serve.self, Status.self, CommuneCommand.self, Candidates.self,
            Annotate.self, Sites.self, SiteCommand.self, Alerts.self, ExportCommand.self, MapCommand.self,
            Validate.self, Calibrate.self,
        ])
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $RURALMAPD_CONFIG, else /etc/ruralmapd/ruralmapd.toml).")
    var config: String?

    @Flag(name: .long, help: "Log debug details.")
    var verbose = false

    /// Loads the config, turning errors into a one-line message and exit status 1.
    func loadOrFail() throws -> (Config, Logger) {
        var logger = Logger(label: "ruralmapd") { StderrLogHandler(label: $0) }
        logger.logLevel = verbose ? .debug : .info
        do {
            return (try Config.load(path: Config.resolvePath(config)), logger)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// A one-line error on stderr and a non-zero status.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
