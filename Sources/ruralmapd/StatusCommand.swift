import ArgumentParser
import Pipeline
import Store

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each source, the territory its data covers and its last run.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        let store = try Store(path: config.storePath, access: .readOnly)
        let report = try await StatusReport.load(config: config, store: store)
        if json { return print(try ContractEncoding.text(report)) }
        let coverages = try await store.coverages(targetVintage: config.targetVintage)
        let geography = try await store.departementCodes(targetVintage: config.targetVintage)
        print(
            TextTable(
                ["source", "kind", "vintage", "coverage", "last run", "outcome", "rows", "rejected", "error"],
                report.sources.map { s in
                    let r = s.lastRun
                    return [
                        s.name, s.kind.rawValue, String(s.vintage),
                        coverages[s.name].map { Summary.coverage($0, lacking: $0.lacking(in: geography)) } ?? "",
                        r?.finishedAt ?? r?.startedAt ?? "never", r?.outcome.rawValue ?? "",
                        r?.rowsLoaded.map(String.init) ?? "", r?.rowsRejected.map(String.init) ?? "", r?.error ?? "",
                    ]
                }
            ).render())
        guard !report.webhooks.isEmpty else { return }
        print(
            "\n"
                + TextTable(
                    ["webhook", "pending", "delivered", "abandoned", "failing", "last attempt", "last error"],
                    report.webhooks.map { w in
                        [
                            w.name, String(w.pending), String(w.delivered), String(w.abandoned),
                            w.consecutiveFailures > 0 ? "\(w.consecutiveFailures) in a row" : "",
                            w.lastAttemptAt ?? "never", w.lastError ?? "",
                        ]
                    }
                ).render())
    }
}
