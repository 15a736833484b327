import ArgumentParser
import Pipeline
import Store
import Territory

struct CommuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commune", abstract: "Show one commune: facts, services, flags, candidacy.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "INSEE commune code (5 characters, e.g. 23096).") var code: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        let store = try Store(path: config.storePath, access: .readOnly)
        guard let commune = CommuneCode(code.uppercased()),
            let report = try await CommuneReport.load(commune, store: store, targetVintage: config.targetVintage)
        else {
            throw CommandFailure("unknown commune \(code) in COG \(config.targetVintage)")
        }
        print(json ? try ContractEncoding.text(report) : report.text)
    }
}
