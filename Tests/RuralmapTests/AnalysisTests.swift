import Analysis
import Foundation
import GRDB
import Geo
import Pipeline
import Store
import Territory
import Testing

/// Flags, distances, scores and kept candidates: on the demo territory (whose facts are set by
/// data/demo/make_demo.py) and on real BPE 2013 → 2018 data.
@Suite(.serialized) struct AnalysisTests {
    /// A demo store, ingested and analysed once.
    static let demo: Task<(Config, Store), Error> = Task { try await makeDemo() }

    /// A demo store of its own, ingested and analysed.
    static func makeDemo() async throws -> (Config, Store) {
        let dir = try TestSupport.temporaryDirectory()
        var text = try String(contentsOfFile: TestSupport.packageRoot + "/Config/demo.toml", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"../", with: "\"\(TestSupport.packageRoot)/")
            .replacingOccurrences(of: "\(TestSupport.packageRoot)/var/demo", with: dir)
        try text.write(toFile: dir + "/demo.toml", atomically: true, encoding: .utf8)
        let config = try Config.load(path: dir + "/demo.toml")
        let store = try Store(path: config.storePath)
        _ = try await MainJob(config: config, store: store, logger: TestSupport.logger).run()
        return (config, store)
    }

    private func flags(_ code: CommuneCode, _ store: Store) async throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try await store.flags(commune: code).map { ($0.category.rawValue, $0.flag.rawValue) })
    }

    @Test func demoFlagsFollowTheTerritorysHistory() async throws {
        let (_, store) = try await Self.demo.value
        let amand = try await flags("99002", store)
        #expect(amand["bakery"] == "kept")
        #expect(amand["post"] == "downgraded")  // office (A206) → agence postale (A208)
        #expect(amand["restaurant"] == "lost")
        #expect(amand["grocery"] == "lost")
        #expect(amand["cafe_bar"] == "lost")  // Sirene: café closed 2019-06-30
        #expect(amand["school"] == "kept")
        #expect(amand["pharmacy"] == "never")  // never had one: never, not lost
        let rochebrune = try await flags("99005", store)
        #expect(rochebrune["cafe_bar"] == "gained")  // opened 2017
        #expect(rochebrune["bakery"] == "lost")
        // Bellefond was re-established in 2015: the 2013 file counted its land with Les Landes-Noires
        // and knows nothing of it. Unknown there, never reported as lost.
        let bellefond = try await flags("99007", store)
        #expect(bellefond["grocery"] == "unknown")
        #expect(bellefond["bakery"] == "unknown")
        #expect(!bellefond.values.contains("lost"))
        // Les Landes-Noires kept nothing: the 2024 file, which covers the whole département, has no
        // row for it. A village that lost everything is lost, not unknown.
        let landes = try await flags("99003", store)
        #expect(landes["restaurant"] == "lost")
        #expect(landes["grocery"] == "lost")
        #expect(landes["bakery"] == "never")
        #expect(!landes.values.contains("unknown"))
        // Val-d'Orvin (commune nouvelle of Orvin + Saint-Just-d'Orvin): the 2013 post office of Saint-Just counts.
        let orvin = try await flags("99008", store)
        #expect(orvin["post"] == "lost")
        #expect(orvin["restaurant"] == "kept")
        #expect(orvin["cafe_bar"] == "lost")  // the non-diffusible café closed in 2020
        let marcillac = try await flags("99004", store)
        #expect(marcillac["post"] == "downgraded")  // office → relais poste
        // Lost meeting place: had a café, bar or restaurant, has none now.
        let lost = try await store.read { Set(try String.fetchAll($0, sql: "SELECT commune FROM meeting_loss")) }
        #expect(lost == ["99002", "99003"])
    }

    /// An outcome's records come from its columns; distances not measured (no source of the
    /// category today) read as unknown for every commune.
    @Test func anOutcomeReadsItsColumnsAndUnmeasuredDistancesAsUnknown() {
        let outcome = CategoryOutcome(
            category: .post, vintageFrom: 2013, vintageTo: 2018, flags: [.lost, .kept], sources: ["bpe", nil],
            disagreements: [1: "bpe=1 osm=0"])
        let record = outcome.flag(at: 1, of: "23002")
        #expect(record.flag == .kept && record.sources == nil && record.disagreement == "bpe=1 osm=0")
        #expect(outcome.flag(at: 0, of: "23001").sources == "bpe")
        let access = outcome.access(at: 0, of: "23001")
        #expect(access.nearestKm == nil && access.catchmentWithout == nil && access.commune == "23001")
    }

    @Test func demoDistancesAreHaversineToTheNearestSite() async throws {
        let (_, store) = try await Self.demo.value
        // Cafés open today in the demo (make_demo.py): Sirene in 99001 (two), 99005, 99006; OSM in 99001, 99006.
        let cafes = [
            Coordinate(lat: 45.997, lon: 2.000), Coordinate(lat: 45.997, lon: 2.001),
            Coordinate(lat: 45.917, lon: 1.926),
            Coordinate(lat: 46.147, lon: 2.027), Coordinate(lat: 46.0012, lon: 2.0021),
            Coordinate(lat: 46.1503, lon: 2.0207),
        ]
        func haversine(_ a: Coordinate, _ b: Coordinate) -> Double {
            let r = 6371.0088
            let p = Double.pi / 180
            let h =
                pow(sin((b.lat - a.lat) * p / 2), 2) + cos(a.lat * p) * cos(b.lat * p)
                * pow(sin((b.lon - a.lon) * p / 2), 2)
            return 2 * r * asin(sqrt(h))
        }
        for (code, lat, lon) in [("99002", 46.06, 2.08), ("99003", 45.94, 2.09), ("99008", 45.99, 1.82)]
            as [(CommuneCode, Double, Double)]
        {
            let expected = cafes.map { haversine(Coordinate(lat: lat, lon: lon), $0) }.min()!
            let got = try await store.access(commune: code).first { $0.category == "cafe_bar" }?.nearestKm
            #expect(abs((got ?? -1) - expected) < 0.01, "\(code): \(String(describing: got)) vs \(expected)")
        }
        // A commune with its own café is at distance 0.
        #expect(try await store.access(commune: "99001").first { $0.category == "cafe_bar" }?.nearestKm == 0)
    }

    @Test func candidatesAreGatedAndExplained() async throws {
        let (config, store) = try await Self.demo.value
        let list = try await store.candidates(targetVintage: config.targetVintage, CandidateQuery())
        // Communes with an open café (99001, 99005, 99006) are gated out.
        #expect(Set(list.map(\.info.code)) == ["99002", "99003", "99004", "99007", "99008"])
        #expect(list.map { $0.candidate.rank } == Array(1...5).map { Optional($0) })
        for c in list {
            let sum = c.candidate.breakdown.map(\.value).reduce(0, +)
            #expect(abs(sum - c.candidate.score) < 0.011)
            #expect(
                c.candidate.breakdown.map(\.term) == [.population, .vitality, .trend, .lost, .distance, .catchment])
            #expect(c.candidate.cafeKnown)  // the demo's Sirene and OSM files cover the whole territory
        }
        #expect(zip(list, list.dropFirst()).allSatisfy { $0.candidate.score >= $1.candidate.score })
    }

    /// Lists read their records by column position; the same records read through `Codable`. On
    /// a store of its own (other suites annotate the shared one), with a status, a note and a
    /// second analysis, so that no two columns of a type hold the same values.
    @Test func candidatesReadByPositionEqualTheCodableRead() async throws {
        let (config, store) = try await Self.makeDemo()
        try await store.annotate(commune: "99003", status: .contacted, note: "porte close")
        _ = try await MainJob(config: config, store: store, logger: TestSupport.logger).analyze()
        let list = try await store.candidates(targetVintage: config.targetVintage, CandidateQuery())
        let brief = try await store.candidates(targetVintage: config.targetVintage, CandidateQuery(breakdowns: false))
        #expect(list.count == 5)
        #expect(brief.map(\.info.code) == list.map(\.info.code))
        #expect(list.contains { $0.candidate.note == "porte close" && $0.candidate.status == .contacted })
        #expect(list.allSatisfy { $0.candidate.firstSeen < $0.candidate.lastSeen })
        for (c, b) in zip(list, brief) {
            #expect(try await store.candidate(commune: c.info.code) == c.candidate)
            var withoutBreakdown = c.candidate
            withoutBreakdown.breakdown = []
            #expect(b.candidate == withoutBreakdown)
        }
    }

    @Test func annotationsSurviveReingestionAndReanalysis() async throws {
        let (config, store) = try await Self.demo.value
        try await store.annotate(commune: "99003", status: .contacted, note: "=Maire rencontré; \"ok\"")
        _ = try await MainJob(config: config, store: store, logger: TestSupport.logger).run(force: true)
        _ = try await MainJob(config: config, store: store, logger: TestSupport.logger).analyze()
        let kept = try #require(try await store.candidate(commune: "99003"))
        #expect(kept.status == .contacted)
        #expect(kept.note == "=Maire rencontré; \"ok\"")
        #expect(kept.listed)
        // An unknown status cannot reach the store: the type has no such case (the CLI and the API
        // refuse the text, see CLITests and DaemonTests).
        #expect(FieldStatus(rawValue: "maybe") == nil)
    }

    @Test func realLossesMatchAnIndependentRecount() async throws {
        let ds = try TestSupport.datasets()
        let (_, store) = try await TestSupport.national.value

        // Independent recount, straight from the raw files, on communes no event touched since 2013
        // (their code means the same land in 2013, 2018 and 2026). Both files are national: a
        // commune with no row in one has no facility in it.
        let codes: [String: [String]] = [
            "restaurant": ["A504"], "grocery": ["B201", "B202"], "bakery": ["B203"], "post": ["A206", "A207", "A208"],
            "school": ["C101", "C102", "C104", "C105"], "doctor": ["D201"], "pharmacy": ["D301"],
        ]
        var touched = Set<String>()
        for line in try TestSupport.gunzipLines(ds + "/cog2026_mouvements_communes.csv.gz").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            if f[1] > "2013-01-01" {
                touched.insert(String(f[3]))
                touched.insert(String(f[9]))
            }
        }
        var small = Set<String>()
        for line in try TestSupport.gunzipLines(ds + "/pop_legales_2023_communes.csv.gz").dropFirst() {
            let f = line.split(separator: ";", omittingEmptySubsequences: false)
            if Int(f[8])! < 3500 { small.insert(String(f[6])) }
        }
        func presence(_ file: String, code: Int, type: Int) throws -> [String: Set<String>] {
            var out: [String: Set<String>] = [:]
            for line in try TestSupport.gunzipLines(ds + "/" + file).dropFirst() {
                let f = line.split(separator: ";")
                out[String(f[code]), default: []].insert(String(f[type]))
            }
            return out
        }
        let y2013 = try presence("bpe2013_communes_typequ.csv.gz", code: 0, type: 2)
        let y2018 = try presence("bpe2018_ensemble_iris.csv.gz", code: 2, type: 5)
        let subset = small.subtracting(touched)
        #expect(subset.count > 25_000)
        #expect(subset.contains { y2018[$0] == nil }, "some village lost every facility between the files")
        for (category, types) in codes.sorted(by: { $0.key < $1.key }) {
            let expected = subset.filter {
                !(y2013[$0] ?? []).isDisjoint(with: types) && (y2018[$0] ?? []).isDisjoint(with: types)
            }.count
            let got = try await store.read { db in
                try String.fetchAll(
                    db, sql: "SELECT commune FROM flag WHERE category = ? AND flag = 'lost'", arguments: [category])
            }.filter(subset.contains).count
            #expect(got == expected, "\(category): \(got) flagged lost, recount \(expected)")
            #expect(expected > 0)
        }
        // 02773 (43 inhabitants) had a restaurant in 2013 and no facility at all in 2018: lost.
        #expect(y2013["02773"]?.contains("A504") == true && y2018["02773"] == nil)
        #expect(try await store.flags(commune: "02773").first { $0.category == "restaurant" }?.flag == .lost)
        // A commune with its own bakery in 2018 is at distance 0; Guéret (23096) has several.
        #expect(try await store.access(commune: "23096").first { $0.category == "bakery" }?.nearestKm == 0)
    }

    /// A count file covers a territory: its départements (inferred, or stated in the config), not
    /// the communes it happens to hold rows for.
    @Test func aFileCoversItsDepartementsNotItsRows() async throws {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        // Extracts of the real files, made here: the departements' lines only (code column first or third).
        func extract(_ file: String, codeColumn: Int, departements: Set<String>, to name: String) throws -> String {
            let lines = try TestSupport.gunzipLines(ds + "/" + file)
            let kept = lines.dropFirst().filter {
                departements.contains(String($0.split(separator: ";")[codeColumn].prefix(2)))
            }
            try ([lines[0]] + kept).joined(separator: "\n").appending("\n").write(
                toFile: dir + "/" + name, atomically: true, encoding: .utf8)
            return "file://\(dir)/\(name)"
        }
        let three: Set<String> = ["02", "23", "87"]
        let y2013 = try extract("bpe2013_communes_typequ.csv.gz", codeColumn: 0, departements: three, to: "bpe2013.csv")
        let y2018 = try extract("bpe2018_ensemble_iris.csv.gz", codeColumn: 2, departements: three, to: "bpe2018.csv")
        let y2018WithoutCreuse = try extract(
            "bpe2018_ensemble_iris.csv.gz", codeColumn: 2, departements: ["02", "87"], to: "bpe2018-no23.csv")
        func flagCount(_ store: Store, _ condition: String) async throws -> Int {
            try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM flag WHERE " + condition) ?? -1 }
        }
        func restaurant(_ store: Store, _ code: CommuneCode) async throws -> String? {
            try await store.flags(commune: code).first { $0.category == "restaurant" }?.flag.rawValue
        }

        // Creuse removed from the 2018 file: its communes are unknown for every category, and the run
        // report says the file lacks the département.
        for sub in ["removed", "declared"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        let first = try TestSupport.config(
            in: dir + "/removed",
            sources: TestSupport.geographySources(ds)
                + TestSupport.source("bpe2013", "bpe", y2013, vintage: 2013)
                + TestSupport.source("bpe2018", "bpe", y2018WithoutCreuse, vintage: 2018))
        let removed = try Store(path: first.storePath)
        let reports = try await TestSupport.ingest(first, store: removed)
        _ = try await MainJob(config: first, store: removed, logger: TestSupport.logger).analyze()
        #expect(reports["bpe2013"]?.coverage == .departements(three))
        #expect(reports["bpe2018"]?.coverage == .departements(["02", "87"]))
        #expect(reports["bpe2018"]?.lacking.contains("23") == true)
        #expect(reports["bpe2018"]?.lacking.count == 101 - 2)  // COG 2026 has 101 départements
        #expect(Summary.ingestion(Array(reports.values)).contains("lacks 99: 01 03 04"))
        #expect(try await flagCount(removed, "commune LIKE '23%'") > 255 * 5)
        #expect(try await flagCount(removed, "commune LIKE '23%' AND flag != 'unknown'") == 0)
        #expect(try await restaurant(removed, "02773") == "lost")  // a restaurant in 2013, no row in 2018
        #expect(try await flagCount(removed, "commune LIKE '87%' AND flag = 'lost'") > 0)
        #expect(try await flagCount(removed, "commune LIKE '01%' AND flag != 'unknown'") == 0)  // in neither file

        // The same 2013 extract declared to cover Creuse only: communes elsewhere are unknown.
        let second = try TestSupport.config(
            in: dir + "/declared",
            sources: TestSupport.geographySources(ds)
                + TestSupport.source("bpe2013", "bpe", y2013, vintage: 2013, more: "coverage = [\"23\"]")
                + TestSupport.source("bpe2018", "bpe", y2018, vintage: 2018))
        let declared = try Store(path: second.storePath)
        _ = try await TestSupport.ingest(second, store: declared)
        _ = try await MainJob(config: second, store: declared, logger: TestSupport.logger).analyze()
        #expect(try await declared.coverages(targetVintage: 2026)["bpe2013"] == .departements(["23"]))
        #expect(try await restaurant(declared, "02773") == "unknown")
        #expect(try await flagCount(declared, "commune NOT LIKE '23%' AND flag != 'unknown'") == 0)
        #expect(try await flagCount(declared, "commune LIKE '23%' AND flag = 'lost'") > 0)
    }
}
