import ArgumentParser
import Export
import Pipeline
import Store

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write candidates or communes as CSV or GeoJSON.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The file format.") var format: ExportFormat
    @Option(help: "Which communes.") var what = ExportSelection.candidates
    @Option(name: .customLong("dep"), help: "Département code (repeatable).") var departements: [String] = []
    @Option(help: "Output file, or - for stdout.") var output = "-"
    @Flag(help: "CSV for French spreadsheets: BOM, ';' separators, decimal commas.") var excel = false

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        let store = try Store(path: config.storePath, access: .readOnly)
        do {
            try await Exporter(store: store, targetVintage: config.targetVintage)
                .write(
                    ExportSettings(format: format, what: what, departements: departements, output: output, excel: excel)
                )
        } catch { throw CommandFailure("\(error)") }
    }
}

extension ExportFormat: ExpressibleByArgument {}
extension ExportSelection: ExpressibleByArgument {}
