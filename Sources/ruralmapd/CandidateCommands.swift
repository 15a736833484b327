import Analysis
import ArgumentParser
import Pipeline
import Store
import Territory

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
        let store = try Store(path: config.storePath, access: .readOnly)
        if let dep = try await store.unknownDepartement(among: departements, targetVintage: config.targetVintage) {
            throw CommandFailure("unknown département \(dep) in COG \(config.targetVintage)")
        }
        let query = CandidateQuery(
            departements: departements, perDepartement: perDepartement, cafeKnown: cafeKnown, limit: limit,
            breakdowns: false)
        let list = try await store.candidates(targetVintage: config.targetVintage, query).map(CandidateSummary.init)
        if json { return print(try ContractEncoding.text(list)) }
        // "no café" only where a café source says so.
        print(
            TextTable(
                ["rank", "code", "name", "dep", "population", "score", "café", "status", "note"],
                list.map {
                    [
                        $0.rank.map(String.init) ?? "", $0.code.rawValue, $0.name, $0.dep ?? "",
                        $0.population.map(String.init) ?? "", String(format: "%.2f", $0.score),
                        $0.cafeKnown ? "none open" : "unknown", $0.status.rawValue, $0.note ?? "",
                    ]
                }
            ).render())
    }
}

struct Annotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set the field team's status and note on a commune.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "INSEE commune code.") var code: String
    @Option(help: "The field status.") var status: FieldStatus?
    @Option(help: "Free text.") var note: String?

    func validate() throws {
        guard status != nil || note != nil else { throw ValidationError("give --status and/or --note") }
    }

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        let store = try Store(path: config.storePath)
        guard let commune = CommuneCode(code.uppercased()),
            try await store.commune(commune, targetVintage: config.targetVintage) != nil
        else {
            throw CommandFailure("unknown commune \(code) in COG \(config.targetVintage)")
        }
        try await store.annotate(commune: commune, status: status, note: note)
        let saved = [status.map { "status \($0.rawValue)" }, note.map { _ in "note saved" }]
        print("\(commune): " + saved.compactMap { $0 }.joined(separator: ", "))
    }
}

extension FieldStatus: ExpressibleByArgument {}
