import ArgumentParser
import Pipeline
import Store

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute flags, distances, catchments and candidate scores.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (config, logger) = try global.loadOrFail()
        let store = try Store(path: config.storePath)
        print(try await MainJob(config: config, store: store, logger: logger).analyze().text)
    }
}
