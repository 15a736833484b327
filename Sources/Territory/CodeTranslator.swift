/// Translates commune codes of any past geography to the target COG, through the change table.
///
/// Each dataset is in its own year's geography (COG of 1 January of that year). Starting from a
/// code, the translator follows the events dated after that day in order: mergers and communes
/// nouvelles send the absorbed commune to the new one, département and seat changes follow the new
/// code. A re-establishment (MOD 21) splits a commune in two; counts cannot be split, so they stay
/// with the commune that kept the old code.
/// Paris, Lyon and Marseille arrondissements roll up to their city.
public struct CodeTranslator: Sendable {
    /// Why a code could not be translated.
    public enum Failure: String, Sendable {
        case invalidCode = "invalid code"
        case notInTarget = "not a commune of the target geography"
    }

    public let targetVintage: Int
    private let target: Set<CommuneCode>
    private let parents: [CommuneCode: CommuneCode]
    /// Code-changing events, per code before, oldest first.
    private let events: [CommuneCode: [(date: String, to: CommuneCode)]]

    /// - Parameters:
    ///   - targetCommunes: codes of type COM in the target COG.
    ///   - parents: arrondissement (ARM) code → its city, from the target COG (`COMPARENT`).
    ///   - mouvements: the change table.
    public init(
        targetVintage: Int, targetCommunes: Set<CommuneCode>, parents: [CommuneCode: CommuneCode],
        mouvements: [Mouvement]
    ) {
        self.targetVintage = targetVintage
        self.target = targetCommunes
        self.parents = parents
        var events: [CommuneCode: [(date: String, to: CommuneCode)]] = [:]
        for m in mouvements where m.typeBefore == "COM" && m.typeAfter == "COM" && m.codeBefore != m.codeAfter {
            // A re-establishment (21) splits a commune: counts stay with the one that kept the code.
            guard m.mod != Mouvement.Kind.reestablishment.rawValue, m.mod != Mouvement.Kind.creation.rawValue,
                let before = CommuneCode(m.codeBefore), let after = CommuneCode(m.codeAfter)
            else { continue }
            events[before, default: []].append((m.date, after))
        }
        self.events = events.mapValues { $0.sorted { $0.date < $1.date } }
    }

    /// The target commune for `text` read from a dataset in the geography of `geographyYear`.
    public func translate(_ text: String, geographyYear: Int) -> Result<CommuneCode, TranslationError> {
        guard let code = CommuneCode(text) else { return .failure(TranslationError(code: text, failure: .invalidCode)) }
        return translate(code, geographyYear: geographyYear)
    }

    /// The target commune for `code` read from a dataset in the geography of `geographyYear`.
    public func translate(_ code: CommuneCode, geographyYear: Int) -> Result<CommuneCode, TranslationError> {
        let start = String(format4: geographyYear) + "-01-01"
        if let found = follow(code, after: start) { return .success(found) }
        // The dataset may predate its stated geography: replay the whole history as a fallback.
        if let found = follow(code, after: "0000") { return .success(found) }
        return .failure(TranslationError(code: code.rawValue, failure: .notInTarget))
    }

    private func follow(_ code: CommuneCode, after start: String) -> CommuneCode? {
        var current = code
        var date = start
        var steps = 0
        while steps < 64, let next = events[current]?.first(where: { $0.date > date }) {
            current = next.to
            date = next.date
            steps += 1
        }
        if let parent = parents[current] { current = parent }
        return target.contains(current) ? current : nil
    }
}

/// A code that could not be translated, and why.
public struct TranslationError: Error, Sendable, Equatable {
    public let code: String
    public let failure: CodeTranslator.Failure
}

extension String {
    init(format4 year: Int) {
        let digits = String(year)
        self = String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
    }
}
