import ArgumentParser
import Export
import Foundation
import Pipeline
import Store

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show each source and its last run.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        let store = try Store(path: config.storePath)
        let last = try await store.lastRuns()
        let coverages = try await store.coverages(targetVintage: config.targetVintage)
        if json {
            let sources: [[String: Any]] = config.sources.map { s in
                let run =
                    last[s.name].map { r -> Any in
                        [
                            "outcome": r.outcome, "started_at": r.startedAt, "finished_at": r.finishedAt ?? NSNull(),
                            "http_status": r.httpStatus ?? NSNull(), "bytes": r.bytes ?? NSNull(),
                            "sha256": r.sha256 ?? NSNull(),
                            "rows_read": r.rowsRead ?? NSNull(), "rows_loaded": r.rowsLoaded ?? NSNull(),
                            "rows_rejected": r.rowsRejected ?? NSNull(), "error": r.error ?? NSNull(),
                        ] as [String: Any]
                    } ?? NSNull()
                let coverage: Any =
                    coverages[s.name].map { c -> Any in
                        if case .departements(let list) = c { return list.sorted() }
                        return "national"
                    } ?? NSNull()
                return [
                    "name": s.name, "kind": s.kind.rawValue, "url": s.url, "vintage": s.vintage, "coverage": coverage,
                    "last_run": run,
                ]
            }
            print(jsonText(["sources": sources]))
        } else {
            let geography = try await store.departementCodes(targetVintage: config.targetVintage)
            print(
                TextTable(
                    ["source", "kind", "vintage", "coverage", "last run", "outcome", "rows", "rejected", "error"],
                    config.sources.map { s in
                        let r = last[s.name]
                        let coverage =
                            coverages[s.name].map { Summary.coverage($0, lacking: $0.lacking(in: geography)) } ?? ""
                        return [
                            s.name, s.kind.rawValue, String(s.vintage), coverage,
                            r?.finishedAt ?? r?.startedAt ?? "never", r?.outcome ?? "",
                            r?.rowsLoaded.map(String.init) ?? "", r?.rowsRejected.map(String.init) ?? "",
                            r?.error ?? "",
                        ]
                    }
                ).render())
        }
    }
}

struct CommuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commune", abstract: "Show one commune: facts, services, flags, candidacy.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "INSEE commune code (5 characters, e.g. 23096).") var code: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        let store = try Store(path: config.storePath)
        guard
            let report = try await CommuneReport.load(
                code.uppercased(), store: store, targetVintage: config.targetVintage)
        else {
            throw CommandFailure("unknown commune \(code) in COG \(config.targetVintage)")
        }
        print(json ? jsonText(report.json) : report.text)
    }
}

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute flags, distances, catchments and candidate scores.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (config, logger) = try global.loadOrFail()
        let store = try Store(path: config.storePath)
        print(try await analyze(config: config, store: store, logger: logger).text)
    }
}

struct Candidates: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List candidate communes by rank.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("dep"), help: "Département code (repeatable).") var departements: [String] = []
    @Option(name: .customLong("per-dep"), help: "The N best of each département.") var perDepartement: Int?
    @Flag(
        inversion: .prefixedNo,
        help: "Only candidates whose café status is known (a Sirene or OSM source covers them), or unknown.")
    var cafeKnown: Bool?
    @Option(help: "At most N candidates.") var limit: Int?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if let perDepartement, perDepartement < 1 { throw ValidationError("--per-dep must be 1 or more") }
    }

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        let store = try Store(path: config.storePath)
        let query = CandidateQuery(
            departements: departements, perDepartement: perDepartement, cafeKnown: cafeKnown, limit: limit)
        let list = try await store.candidates(targetVintage: config.targetVintage, query).map(CandidateSummary.init)
        if json {
            print(try jsonText(list))
        } else {
            // "no café" only where a café source says so.
            print(
                TextTable(
                    ["rank", "code", "name", "dep", "population", "score", "café", "status", "note"],
                    list.map {
                        [
                            $0.rank.map(String.init) ?? "", $0.code, $0.name, $0.dep ?? "",
                            $0.population.map(String.init) ?? "",
                            String(format: "%.2f", $0.score), $0.cafeKnown ? "none open" : "unknown", $0.status,
                            $0.note ?? "",
                        ]
                    }
                ).render())
        }
    }
}

struct Annotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set the field team's status and note on a commune.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "INSEE commune code.") var code: String
    @Option(help: "new, contacted, feasibility, opened or rejected.") var status: String?
    @Option(help: "Free text.") var note: String?

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        guard status != nil || note != nil else { throw CommandFailure("give --status and/or --note") }
        let store = try Store(path: config.storePath)
        guard try await store.commune(code, targetVintage: config.targetVintage) != nil else {
            throw CommandFailure("unknown commune \(code) in COG \(config.targetVintage)")
        }
        do { try await store.annotate(commune: code, status: status, note: note) } catch {
            throw CommandFailure("\(error)")
        }
        print(
            "\(code): "
                + [status.map { "status \($0)" }, note.map { _ in "note saved" }].compactMap { $0 }.joined(
                    separator: ", "))
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write candidates or communes as CSV or GeoJSON.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "csv or geojson.") var format: String
    @Option(help: "candidates (default) or communes.") var what = "candidates"
    @Option(name: .customLong("dep"), help: "Département code (repeatable).") var departements: [String] = []
    @Option(help: "Output file, or - for stdout.") var output = "-"
    @Flag(help: "CSV for French spreadsheets: BOM, ';' separators, decimal commas.") var excel = false

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        guard let f = ExportFormat(rawValue: format) else { throw CommandFailure("--format must be csv or geojson") }
        guard let w = ExportSelection(rawValue: what) else {
            throw CommandFailure("--what must be candidates or communes")
        }
        let store = try Store(path: config.storePath)
        do {
            try await Exporter(store: store, targetVintage: config.targetVintage)
                .write(ExportSettings(format: f, what: w, departements: departements, output: output, excel: excel))
        } catch { throw CommandFailure("\(error)") }
    }
}
