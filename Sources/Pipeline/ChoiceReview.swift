import Analysis
import Formats
import Foundation
import Store
import Territory

/// A programme's past choices set against the score: `ruralmapd validate` and `calibrate`.
public struct ChoiceReview: Sendable {
    public let config: Config
    public let store: Store
    /// The chosen communes, translated to the target geography.
    public let chosen: ChosenCommunes
    /// Every gated commune, as the last analysis described it.
    public let features: [CandidateFeatures]

    /// Reads the choices of `path` (codes of the COG of `geographyYear`, default the target's)
    /// and the features of the last analysis.
    /// - Throws: ``ConfigError`` for an unreadable choice file, `StoreError` when nothing is analysed.
    public init(
        config: Config, store: Store, path: String, column: String? = nil, geographyYear: Int? = nil
    ) async throws {
        guard let translator = try await store.translator(targetVintage: config.targetVintage) else {
            throw ConfigError(
                line: nil, "the target geography (COG \(config.targetVintage)) is not loaded: run `ruralmapd run` first"
            )
        }
        self.config = config
        self.store = store
        chosen = try ChosenCommunes.read(
            path: path, column: column, geographyYear: geographyYear ?? config.targetVintage, translator: translator)
        features = try await store.candidateFeatures()
    }

    /// A chosen commune the gates left out (too populous, or a café open).
    public struct Excluded: Sendable, Codable, Equatable {
        public var code: CommuneCode
        public var name: String
        @Nullable public var population: Int?
    }

    /// Chosen communes that are not among the gated ones.
    public func excluded() async throws -> [Excluded] {
        let gated = Set(features.map(\.commune))
        var out: [Excluded] = []
        for code in chosen.communes.subtracting(gated).sorted() {
            let info = try await store.commune(code, targetVintage: config.targetVintage)
            out.append(Excluded(code: code, name: info?.name ?? code.rawValue, population: info?.population))
        }
        return out
    }

    /// `validate`: the current score and the population rule, side by side.
    public struct Validation: Sendable, Codable, Equatable {
        public var file: String
        public var column: String
        public var unknownCodes: [String]
        public var excluded: [Excluded]
        public var ranking: ChoiceValidation
    }

    public func validate(path: String) async throws -> Validation {
        Validation(
            file: path, column: chosen.column, unknownCodes: chosen.unknown, excluded: try await excluded(),
            ranking: ChoiceValidation(features: features, chosen: chosen.communes, scorer: config.analysis.scorer))
    }

    /// `calibrate`: the cross-validated fit, next to the current weights and the population rule.
    public struct Calibration: Sendable, Codable, Equatable {
        public var validation: Validation
        public var fit: Calibrator.Result

        /// The `[analysis]` keys the fit sets, as TOML (key, literal) pairs.
        public var settings: [(key: String, literal: String)] {
            let weights = ScoreTerm.Kind.allCases.map {
                "\($0.rawValue) = \(Self.number(fit.weights[$0.rawValue] ?? 0))"
            }
            return [
                ("band_low", String(fit.band.low)), ("band_high", String(fit.band.high)),
                ("band_falloff", Self.number(fit.band.falloff)),
                ("weights", "{ " + weights.joined(separator: ", ") + " }"),
            ]
        }

        static func number(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(format: "%.2f", x) }
    }

    /// Fits the terms of `terms` (all by default; the others keep weight 0).
    public func calibrate(
        path: String, folds: Int, seed: UInt64, terms: [ScoreTerm.Kind] = ScoreTerm.Kind.allCases
    ) async throws -> Calibration {
        var calibrator = Calibrator(folds: folds, seed: seed)
        calibrator.terms = terms
        return Calibration(
            validation: try await validate(path: path),
            fit: calibrator.calibrate(features: features, chosen: chosen.communes))
    }
}
