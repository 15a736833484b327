/// The map's colours and legend entries: candidates in up to four rank classes (darkest first),
/// then lost café, lost services, no loss. Colours from ColorBrewer (Purples, and the red-orange
/// of OrRd), readable when printed in grey.
struct Palette: Sendable {
    struct Entry: Sendable {
        let colour: String
        let status: MapStatus
        /// First and last rank of a candidate class.
        let ranks: ClosedRange<Int>?

        func label(_ words: Vocabulary) -> String {
            guard let ranks else { return words["status." + status.rawValue] }
            if ranks.count == 1 {
                return words["status.rank"].replacingOccurrences(of: "%1", with: words.number(Double(ranks.lowerBound)))
            }
            return words["status.ranks"].replacingOccurrences(of: "%1", with: words.number(Double(ranks.lowerBound)))
                .replacingOccurrences(of: "%2", with: words.number(Double(ranks.upperBound)))
        }
    }

    let entries: [Entry]
    /// Upper rank of each candidate class, ascending.
    private let classBounds: [Int]

    init(layer: MapLayer, candidateRanks: [Int]) {
        var entries: [Entry] = []
        var bounds: [Int] = []
        if layer == .candidates, !candidateRanks.isEmpty {
            let colours = ["#3f007d", "#6a51a3", "#9e9ac8", "#cbc9e2"]
            let classes = min(colours.count, candidateRanks.count)
            for i in 0..<classes {
                let first = candidateRanks[i * candidateRanks.count / classes]
                let last = candidateRanks[(i + 1) * candidateRanks.count / classes - 1]
                entries.append(Entry(colour: colours[i], status: .candidate, ranks: first...last))
                bounds.append(last)
            }
        }
        entries.append(Entry(colour: "#d7301f", status: .lostMeeting, ranks: nil))
        entries.append(Entry(colour: "#fdae61", status: .lostServices, ranks: nil))
        entries.append(Entry(colour: "#e3e3e3", status: .noLoss, ranks: nil))
        self.entries = entries
        classBounds = bounds
    }

    /// The index of the legend entry a commune is drawn with.
    func entry(for commune: MapCommune) -> Int {
        if commune.status == .candidate, let rank = commune.rank {
            return classBounds.firstIndex { rank <= $0 } ?? max(classBounds.count - 1, 0)
        }
        return entries.firstIndex { $0.status == commune.status } ?? entries.count - 1
    }
}
