/// Translates commune codes of any past geography to the target COG, through the change table.
///
/// Each dataset is in its own year's geography (COG of 1 January of that year). Starting from a
/// code, the translator follows the events dated after that day in order: mergers and communes
/// nouvelles send the absorbed commune to the new one, département and seat changes follow the new
/// code. A re-establishment (MOD 21) splits a commune in two; counts cannot be split, so they stay
/// with the commune that kept the old code, and ``splits(after:)`` lists such cases for the report.
/// Paris, Lyon and Marseille arrondissements roll up to their city.
public struct CodeTranslator: Sendable {
    /// Why a code could not be translated.
    public enum Failure: String, Sendable {
        case invalidCode = "invalid code"
        case notInTarget = "not a commune of the target geography"
    }

    public let targetVintage: Int
    private let target: Set<String>
    private let parents: [String: String]
    /// Code-changing events, per code before, oldest first.
    private let events: [String: [(date: String, to: String)]]
    private let reestablishments: [(date: String, parent: String, child: String)]

    /// - Parameters:
    ///   - targetCommunes: codes of type COM in the target COG.
    ///   - parents: arrondissement (ARM) code → its city, from the target COG (`COMPARENT`).
    ///   - mouvements: the change table.
    public init(targetVintage: Int, targetCommunes: Set<String>, parents: [String: String], mouvements: [Mouvement]) {
        self.targetVintage = targetVintage
        self.target = targetCommunes
        self.parents = parents
        var events: [String: [(String, String)]] = [:]
        var splits: [(String, String, String)] = []
        for m in mouvements where m.typeBefore == "COM" && m.typeAfter == "COM" && m.codeBefore != m.codeAfter {
            if m.mod == Mouvement.Kind.reestablishment.rawValue {
                splits.append((m.date, m.codeBefore, m.codeAfter))
            } else if m.mod != Mouvement.Kind.creation.rawValue {
                events[m.codeBefore, default: []].append((m.date, m.codeAfter))
            }
        }
        self.events = events.mapValues { $0.sorted { $0.0 < $1.0 }.map { (date: $0.0, to: $0.1) } }
        self.reestablishments = splits.map { (date: $0.0, parent: $0.1, child: $0.2) }
    }

    /// Whether `code` is a commune of the target geography.
    public func isTarget(_ code: String) -> Bool { target.contains(code) }

    /// The target commune for `code` read from a dataset in the geography of `geographyYear`.
    public func translate(_ code: String, geographyYear: Int) -> Result<String, TranslationError> {
        guard let valid = CommuneCode(code)?.rawValue else {
            return .failure(TranslationError(code: code, failure: .invalidCode))
        }
        let start = String(format4: geographyYear) + "-01-01"
        if let found = follow(valid, after: start) { return .success(found) }
        // The dataset may predate its stated geography: replay the whole history as a fallback.
        if let found = follow(valid, after: "0000") { return .success(found) }
        return .failure(TranslationError(code: valid, failure: .notInTarget))
    }

    private func follow(_ code: String, after start: String) -> String? {
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

    /// Communes re-established after 1 January of `geographyYear`: data of that year counted them
    /// inside their former parent.
    public func splits(after geographyYear: Int) -> [(date: String, parent: String, child: String)] {
        let start = String(format4: geographyYear) + "-01-01"
        return reestablishments.filter { $0.date > start }
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
