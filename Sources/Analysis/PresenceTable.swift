/// What each category a snapshot can see looks like in each commune: one flat array, by category
/// then commune position.
///
/// A dictionary by commune code of dictionaries by category took 55 MB for a national analysis's
/// snapshots, and hashed a code at every look-up; these take 12.
struct PresenceTable {
    /// What one category looks like in one commune.
    struct Presence {
        var count: Int32 = 0
        /// The best level of service (post office 3, agency 2, relay 1; 0 otherwise).
        var level: UInt8 = 0
    }

    private let communes: Int
    /// Each category's place in `cells`, by category position; nil for categories not held.
    private let slots: [Int?]
    private var cells: [Presence]

    /// A table where nothing is present yet, for the categories at positions `categories` among
    /// `all`.
    init(categories: [Int], of all: Int, communes: Int) {
        self.communes = communes
        var slots = [Int?](repeating: nil, count: all)
        for (slot, category) in categories.enumerated() { slots[category] = slot }
        self.slots = slots
        cells = Array(repeating: Presence(), count: categories.count * communes)
    }

    /// The category at position `category` in the commune at position `commune` (nothing, for a
    /// category the table does not hold).
    subscript(category: Int, commune: Int) -> Presence {
        slots[category].map { cells[$0 * communes + commune] } ?? Presence()
    }

    /// Adds `n` sites of service `level` (ignored for a category the table does not hold: the
    /// snapshot cannot see it).
    mutating func add(_ n: Int32, level: UInt8, category: Int, commune: Int) {
        guard let slot = slots[category] else { return }
        cells[slot * communes + commune].count += n
        cells[slot * communes + commune].level = max(cells[slot * communes + commune].level, level)
    }
}
