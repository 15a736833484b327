import Analysis
import Foundation
import Pipeline
import Store
import Testing

/// The candidate score against real programme choices (`../shared/calibration`), on the real
/// national data: validation, calibration, the shape of the score, and honesty about cafés.
@Suite(.serialized) struct ScoreTests {
    static func chosenFile() throws -> String {
        let path =
            (try TestSupport.datasets() as NSString).deletingLastPathComponent + "/calibration/mille_cafes_2020-01.csv"
        guard FileManager.default.fileExists(atPath: path) else {
            throw TestFailure("missing calibration list at \(path)")
        }
        return path
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            "not a JSON object: \(text.prefix(300))")
    }

    /// Mid-rank percentiles, written here from the definition: the share of the other communes
    /// ranked strictly below, ties counting half.
    static func meanPercentile(_ scores: [String: Double], chosen: Set<String>) -> Double {
        let values = Array(scores.values)
        let picked = chosen.compactMap { scores[$0] }
        let each = picked.map { s in
            (Double(values.filter { $0 < s }.count) + 0.5 * Double(values.filter { $0 == s }.count - 1))
                / Double(values.count - 1)
        }
        return each.reduce(0, +) / Double(each.count)
    }

    @Test func validateAgreesWithAnIndependentComputation() async throws {
        let ds = try TestSupport.datasets()
        let chosenPath = try Self.chosenFile()
        let (config, _) = try await TestSupport.national.value
        let run = try CLITests.ruralmapd(["validate", "--chosen", chosenPath, "--json", "--config", config.path])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try Self.json(run.stdout)
        let ranking = try #require(report["ranking"] as? [String: Any])
        let rule = try #require(ranking["population_rule"] as? [String: Any])
        let score = try #require(ranking["score"] as? [String: Any])

        // The population rule, recomputed from the raw files: COG 2026 communes, their 2023
        // population (COG 2025 codes carried through the 2025–2026 changes), gated under 3,500
        // (no café source: the café gate lets every commune through), ranked by closeness to 700.
        var communes = Set<String>()
        for line in try TestSupport.gunzipLines(ds + "/cog2026_communes.csv.gz").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            if f[0] == "COM" { communes.insert(String(f[1])) }
        }
        var next: [String: String] = [:]
        for line in try TestSupport.gunzipLines(ds + "/cog2026_mouvements_communes.csv.gz").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            if f[1] > "2025-01-01", f[2] == "COM", f[8] == "COM", f[3] != f[9] { next[String(f[3])] = String(f[9]) }
        }
        var population: [String: Int] = [:]
        for line in try TestSupport.gunzipLines(ds + "/pop_legales_2023_communes.csv.gz").dropFirst() {
            let f = line.split(separator: ";", omittingEmptySubsequences: false)
            var code = String(f[6])
            while let later = next[code] { code = later }
            if communes.contains(code) { population[code, default: 0] += Int(f[8])! }
        }
        let gated = population.filter { $0.value < 3500 }
        let chosen = Set(
            try String(contentsOfFile: chosenPath, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
                .map { String($0.prefix(5)) })
        #expect(chosen.count == 24)
        let expected = Self.meanPercentile(gated.mapValues { -abs(log(Double($0) / 700)) }, chosen: chosen)
        // All 24 are under 3,500 inhabitants (below): none excluded.
        #expect((report["excluded"] as? [Any])?.isEmpty == true)
        #expect(ranking["gated"] as? Int == gated.count)
        #expect(ranking["chosen"] as? Int == 24)
        #expect(String(format: "%.3f", rule["mean_percentile"] as? Double ?? -1) == String(format: "%.3f", expected))
        #expect(abs(expected - 0.75) < 0.01)  // the figure for this rule

        // The score's own ranking, recomputed from the scores the export writes.
        let export = try CLITests.ruralmapd([
            "export", "--format", "csv", "--what", "candidates", "--config", config.path,
        ])
        #expect(export.status == 0, "\(export.stderr)")
        let lines = export.stdout.split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        let codeColumn = try #require(header.firstIndex(of: "code"))
        let scoreColumn = try #require(header.firstIndex(of: "score"))
        var scores: [String: Double] = [:]
        for line in lines.dropFirst() {
            // The breakdown (last column, quoted JSON) holds commas; code and score come before it.
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            scores[String(f[codeColumn])] = Double(f[scoreColumn])
        }
        #expect(scores.count == gated.count)
        let scoreExpected = Self.meanPercentile(scores, chosen: chosen)
        #expect(
            String(format: "%.3f", score["mean_percentile"] as? Double ?? -1) == String(format: "%.3f", scoreExpected))
        // Each term: the chosen communes' mean against all gated communes'.
        let terms = try #require(ranking["terms"] as? [[String: Any]])
        #expect(terms.compactMap { $0["term"] as? String } == ScoreTerm.Kind.allCases.map(\.rawValue))
        let vitality = try #require(terms.first { $0["term"] as? String == "vitality" })
        // The villages chosen still have life.
        #expect((vitality["chosen"] as? Double ?? 0) > (vitality["all"] as? Double ?? 1))

        let text = try CLITests.ruralmapd(["validate", "--chosen", chosenPath, "--config", config.path])
        #expect(text.stdout.contains("population rule"))
        #expect(text.stdout.contains(String(format: "%.3f", expected)))
    }

    @Test func calibrationIsCrossValidatedAndWritesTheConfig() async throws {
        let chosenPath = try Self.chosenFile()
        let (config, _) = try await TestSupport.national.value
        // A copy of the config with a comment to keep and an [analysis] section to update.
        let dir = try TestSupport.temporaryDirectory()
        var text = try String(contentsOfFile: config.path, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "[geography]",
            with: "[analysis]\n# our own comment\nmax_population = 3500 # gate\nband_low = 200\n\n[geography]")
        let copy = dir + "/ruralmapd.toml"
        try text.write(toFile: copy, atomically: true, encoding: .utf8)

        let run = try CLITests.ruralmapd([
            "calibrate", "--chosen", chosenPath, "--seed", "1", "--json", "--config", copy,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try Self.json(run.stdout)
        let fit = try #require(report["fit"] as? [String: Any])
        let crossValidated = try #require((fit["cross_validated"] as? [String: Any])?["mean_percentile"] as? Double)
        let rule = try #require(
            ((report["validation"] as? [String: Any])?["ranking"] as? [String: Any])?["population_rule"]
                as? [String: Any])
        #expect(crossValidated >= 0.72, "cross-validated mean percentile \(crossValidated)")
        #expect(abs((rule["mean_percentile"] as? Double ?? 0) - 0.75) < 0.01)
        #expect(fit["folds"] as? Int == 6)
        let weights = try #require(fit["weights"] as? [String: Double])
        #expect(Set(weights.keys) == Set(ScoreTerm.Kind.allCases.map(\.rawValue)))
        #expect(weights.values.allSatisfy { $0 >= 0 } && abs(weights.values.reduce(0, +) - 10) < 0.05)

        // The text report prints the fit next to the population rule, and --write puts the settings in the file.
        let write = try CLITests.ruralmapd([
            "calibrate", "--chosen", chosenPath, "--seed", "1", "--write", "--config", copy,
        ])
        #expect(write.status == 0, "\(write.stderr)")
        #expect(write.stdout.contains("cross-validated fit") && write.stdout.contains("population rule"))
        let written = try String(contentsOfFile: copy, encoding: .utf8)
        #expect(written.contains("# our own comment") && written.contains("max_population = 3500 # gate"))
        #expect(!written.contains("band_low = 200"))
        let reloaded = try Config.load(path: copy)
        let band = try #require(fit["band"] as? [String: Any])
        #expect(reloaded.analysis.band.low == band["low"] as? Int)
        for kind in ScoreTerm.Kind.allCases {
            #expect(abs(reloaded.analysis.weights[kind] - (weights[kind.rawValue] ?? -1)) < 0.005, "\(kind)")
        }
        let backups = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
            $0.hasPrefix("ruralmapd.toml.bak-")
        }
        #expect(backups.count == 1)
        #expect(try String(contentsOfFile: dir + "/" + backups[0], encoding: .utf8) == text)
    }

    @Test func viabilityKeepsHamletsOutOfTheTopAndTermsSumToTheScore() async throws {
        let (config, store) = try await TestSupport.national.value
        let list = try await store.candidates(targetVintage: config.targetVintage, CandidateQuery())
        #expect(list.count > 30_000)
        let top = list.prefix(list.count / 10)
        #expect(
            top.allSatisfy { ($0.info.population ?? 0) >= 100 },
            "\(top.filter { ($0.info.population ?? 0) < 100 }.prefix(5).map(\.info.code))")
        for c in stride(from: 0, to: list.count, by: 997).map({ list[$0].candidate }) {
            #expect(c.breakdown.map(\.term) == ScoreTerm.Kind.allCases)
            #expect(abs(c.breakdown.map(\.value).reduce(0, +) - c.score) < 0.005, "\(c.commune)")
            #expect(c.breakdown.allSatisfy { $0.normalised >= 0 && $0.normalised <= 1 })
        }
        // The score combines viability and need: a hamlet scores less than the same features in a village.
        let hamlet = try #require(list.first { ($0.info.population ?? 0) < 60 })
        let viability = try #require(hamlet.candidate.breakdown.first { $0.term == .population })
        #expect(viability.normalised < 0.2)
    }

    @Test func cafeStatusIsUnknownWithoutACafeSource() async throws {
        let (config, store) = try await TestSupport.national.value
        let list = try await store.candidates(targetVintage: config.targetVintage, CandidateQuery())
        #expect(!list.isEmpty && list.allSatisfy { !$0.candidate.cafeKnown })
        let known = try CLITests.ruralmapd(["candidates", "--cafe-known", "--json", "--config", config.path])
        #expect(
            (try JSONSerialization.jsonObject(with: Data(known.stdout.utf8)) as? [Any])?.isEmpty == true,
            "\(known.stderr)")
        let unknown = try CLITests.ruralmapd([
            "candidates", "--no-cafe-known", "--dep", "23", "--json", "--config", config.path,
        ])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(unknown.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count > 200 && rows.allSatisfy { $0["cafe_known"] as? Bool == false })
        // Nothing says "no café": not the list, not a card, not the export, not the maps.
        let outputs = [
            try CLITests.ruralmapd(["candidates", "--dep", "23", "--config", config.path]).stdout,
            try CLITests.ruralmapd(["commune", "23105", "--config", config.path]).stdout,
            try CLITests.ruralmapd(["commune", "23105", "--json", "--config", config.path]).stdout,
            try CLITests.ruralmapd(["export", "--format", "csv", "--dep", "23", "--config", config.path]).stdout,
        ]
        let dir = try TestSupport.temporaryDirectory()
        for lang in ["fr", "en"] {
            #expect(
                try CLITests.ruralmapd([
                    "map", "--dep", "23", "--lang", lang, "--output", "\(dir)/\(lang).svg", "--config", config.path,
                ]).status == 0)
        }
        let svgFR = try String(contentsOfFile: dir + "/fr.svg", encoding: .utf8)
        let svgEN = try String(contentsOfFile: dir + "/en.svg", encoding: .utf8)
        for text in outputs + [svgFR, svgEN] {
            for claim in ["no café", "without a café", "sans café", "aucun café"] {
                #expect(!text.contains(claim), "\(claim) in \(text.prefix(200))")
            }
        }
        #expect(outputs[0].contains("unknown"))
        #expect(outputs[1].contains("Café: unknown"))
        // The columns up to cafe_known hold no commas (codes, names, figures, flags).
        let exported = outputs[3].split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        let cafeKnown = try #require(exported.first?.firstIndex(of: "cafe_known"))
        #expect(exported.count > 200 && exported.dropFirst().allSatisfy { $0[cafeKnown] == "false" })
        #expect(svgFR.contains("café inconnu") && svgFR.contains("data-cafe=\"unknown\""))
    }

    @Test func theBestOfEachDepartement() async throws {
        let (config, _) = try await TestSupport.national.value
        func list(_ arguments: [String]) throws -> [[String: Any]] {
            let run = try CLITests.ruralmapd(["candidates", "--json", "--config", config.path] + arguments)
            return try #require(
                try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], "\(run.stderr)")
        }
        let perDep = try list(["--per-dep", "3", "--dep", "23", "--dep", "87"])
        let creuse = try list(["--dep", "23", "--limit", "3"])
        let hauteVienne = try list(["--dep", "87", "--limit", "3"])
        #expect(perDep.count == 6)
        #expect(
            Set(perDep.compactMap { $0["code"] as? String })
                == Set((creuse + hauteVienne).compactMap { $0["code"] as? String }))
        let ranks = perDep.compactMap { $0["rank"] as? Int }
        #expect(ranks == ranks.sorted())
        #expect(try CLITests.ruralmapd(["candidates", "--per-dep", "0", "--config", config.path]).status != 0)
    }
}
