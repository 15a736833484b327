import Analysis
import ArgumentParser
import Pipeline
import Store

/// `ruralmapd alerts`: what changed in the watched services, newest first; `--deliveries`: how
/// the webhooks received them.
struct Alerts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show alerts: communes that lost, had reduced or regained a watched service (newest first).")

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("dep"), help: "Only this département (repeatable).") var departements: [String] = []
    @Option(help: "Only alerts detected on or after this date (YYYY-MM-DD or ISO 8601).") var since: String?
    @Option(name: .customLong("category"), help: "Only this category (repeatable).") var categories: [String] = []
    @Option(help: "At most this many.") var limit = 100
    @Flag(help: "Show the webhook delivery attempts instead.") var deliveries = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        let store = try Store(path: config.storePath, access: .readOnly)
        if deliveries {
            let attempts = try await store.deliveryAttempts(limit: limit)
            if json { return print(try ContractEncoding.text(attempts)) }
            return print(
                TextTable(
                    ["at", "webhook", "alert", "outcome", "http", "seconds", "error"],
                    attempts.map { a in
                        [
                            a.at, a.webhook, String(a.alert), a.outcome.rawValue, a.httpStatus.map(String.init) ?? "",
                            String(format: "%.2f", a.seconds), a.error ?? "",
                        ]
                    }
                ).render())
        }
        let filter: AlertFilter
        do {
            filter = try await AlertSelection.filter(
                departements: departements, categories: categories, since: since, store: store,
                targetVintage: config.targetVintage)
        } catch let error as AlertSelection.Invalid {
            throw CommandFailure(error.message)
        }
        let alerts = try await store.alerts(filter, limit: limit).map(AlertSummary.init)
        if json { return print(try ContractEncoding.text(alerts)) }
        print(
            TextTable(
                ["detected", "code", "commune", "dep", "category", "change", "vintages", "sources", "candidate"],
                alerts.map { a in
                    [
                        a.detectedAt, a.code.rawValue, a.name, a.dep ?? "", a.category.rawValue, a.change.rawValue,
                        [a.from, a.to].compactMap { $0.map(String.init) }.joined(separator: "→"),
                        a.sources.joined(separator: ","), a.candidateRank.map { "rank \($0)" } ?? "",
                    ]
                }
            ).render())
    }
}
