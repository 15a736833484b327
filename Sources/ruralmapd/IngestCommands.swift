import ArgumentParser
import Foundation
import Pipeline
import Store

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download and load sources (only what changed, unless --force).")

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("source"), help: "A source name from the config (repeatable; default: all).")
    var sources: [String] = []
    @Flag(
        help:
            "Re-parse files even when unchanged (URLs are downloaded again; unchanged local files are read from the archive)."
    )
    var force = false

    func run() async throws {
        let (config, logger) = try global.loadOrFail()
        let store = try Store(path: config.storePath)
        let reports = try await MainJob(config: config, store: store, logger: logger).ingest(
            sources: sources, force: force)
        print(Summary.ingestion(reports))
        if reports.contains(where: { $0.outcome == .failed }) { throw ExitCode(2) }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job: ingest what changed, then analyse and export.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (config, logger) = try global.loadOrFail()
        let store = try Store(path: config.storePath)
        let result = try await MainJob(config: config, store: store, logger: logger).run()
        print(result.summary)
        if result.failed { throw ExitCode(2) }
    }
}
