import Analysis
import ArgumentParser
import Foundation
import Pipeline
import Store

/// Options of the commands that read a programme's past choices.
struct ChoiceOptions: ParsableArguments {
    @Option(help: "CSV file of the communes a programme chose (a column of INSEE codes).") var chosen: String
    @Option(
        help: "The column of codes (default: com_insee_2026, com_insee, code_insee, insee, codgeo, depcom, com, code).")
    var column: String?
    @Option(help: "The COG year of the codes (default: the target geography); older codes are translated.")
    var geography: Int?
}

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank a programme's past choices with the current score and with the population rule.",
        discussion: """
            Each chosen commune's percentile among the gated communes (1 = top of the list, 0.5 = random), their mean, \
            the share in the top 5 %, 10 % and 20 %, and each term's mean value for the chosen communes against \
            all gated \
            communes. The population rule ranks by closeness to 700 inhabitants (as a ratio). Uses the last analysis.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var choice: ChoiceOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        do {
            let store = try Store(path: config.storePath, access: .readOnly)
            let review = try await ChoiceReview(
                config: config, store: store, path: choice.chosen, column: choice.column,
                geographyYear: choice.geography)
            let report = try await review.validate(path: choice.chosen)
            print(json ? try ContractEncoding.text(report) : ChoiceText.validation(report))
        } catch let error as CommandFailure { throw error } catch { throw CommandFailure("\(error)") }
    }
}

struct Calibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit the score's weights and population band to a programme's past choices, cross-validated.",
        discussion: """
            A logistic regression of "chosen" on the viability-scaled term values (weights ≥ 0), for each \
            population band of a small grid; the band ranking the training communes best wins. Reported: the \
            k-fold cross-validated mean \
            percentile of the held-out communes (never the in-sample fit alone) next to the current weights' and the \
            population rule's, and the [analysis] settings to paste. --write puts them in the config file (a backup is \
            kept beside it); run `ruralmapd analyze` afterwards to re-rank.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var choice: ChoiceOptions
    @Option(help: "Folds of the cross-validation.") var folds = 6
    @Option(help: "Seed of the folds and samples.") var seed: UInt64 = 1
    @Option(
        parsing: .upToNextOption,
        help: "Terms to fit (default: all); the others get weight 0, to measure what each adds.")
    var terms: [ScoreTerm.Kind] = ScoreTerm.Kind.allCases
    @Flag(help: "Write the fitted settings into the config file.") var write = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard folds >= 2 else { throw ValidationError("--folds must be 2 or more") }
    }

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        do {
            let store = try Store(path: config.storePath, access: .readOnly)
            let review = try await ChoiceReview(
                config: config, store: store, path: choice.chosen, column: choice.column,
                geographyYear: choice.geography)
            let calibration = try await review.calibrate(path: choice.chosen, folds: folds, seed: seed, terms: terms)
            print(json ? try ContractEncoding.text(calibration) : ChoiceText.calibration(calibration))
            if write {
                let text = try String(contentsOfFile: config.path, encoding: .utf8)
                let backup = try ConfigEditor.replace(
                    path: config.path, with: ConfigEditor.setting(calibration.settings, in: "analysis", of: text))
                let message =
                    "wrote [analysis] to \(config.path) (previous file kept as \(backup)); "
                    + "run `ruralmapd analyze` to re-rank\n"
                FileHandle.standardError.write(Data(message.utf8))
            }
        } catch let error as CommandFailure { throw error } catch { throw CommandFailure("\(error)") }
    }
}

extension ScoreTerm.Kind: ExpressibleByArgument {}

/// The terminal renderings of the choice reports.
enum ChoiceText {
    static func validation(_ v: ChoiceReview.Validation) -> String {
        let r = v.ranking
        var lines = ["\(v.file) (column \(v.column)): \(r.chosen) chosen communes among the \(r.gated) gated communes"]
        if !v.unknownCodes.isEmpty { lines.append("unknown codes: " + v.unknownCodes.joined(separator: ", ")) }
        if !v.excluded.isEmpty {
            lines.append(
                "left out by the gates: "
                    + v.excluded.map { "\($0.name) (\($0.code), \($0.population.map(String.init) ?? "?") inh.)" }
                    .joined(separator: ", "))
        }
        lines.append("")
        lines.append(
            rankings([("score (current weights)", r.score), ("population rule (closeness to 700)", r.populationRule)]))
        lines.append("")
        lines.append(
            TextTable(
                ["term", "chosen (mean)", "all gated (mean)"],
                r.terms.map {
                    [$0.term.rawValue, String(format: "%.3f", $0.chosen), String(format: "%.3f", $0.all)]
                }
            ).render())
        return lines.joined(separator: "\n")
    }

    static func calibration(_ c: ChoiceReview.Calibration) -> String {
        let r = c.validation.ranking
        return [
            "\(c.validation.file): \(r.chosen) chosen communes among the \(r.gated) gated communes; "
                + "\(c.fit.folds) folds, seed \(c.fit.seed)",
            "",
            rankings([
                ("cross-validated fit", c.fit.crossValidated), ("current weights (in-sample)", r.score),
                ("population rule", r.populationRule),
            ]),
            "",
            "Fitted on every chosen commune; [analysis] settings:",
            c.settings.map { "\($0.key) = \($0.literal)" }.joined(separator: "\n"),
        ].joined(separator: "\n")
    }

    private static func rankings(_ rows: [(String, RankingEvaluation)]) -> String {
        func share(_ x: Double) -> String { String(format: "%.0f %%", x * 100) }
        return TextTable(
            ["ranking", "mean percentile", "top 5 %", "top 10 %", "top 20 %"],
            rows.map { name, e in
                [name, String(format: "%.3f", e.meanPercentile), share(e.top5), share(e.top10), share(e.top20)]
            }
        ).render()
    }
}
