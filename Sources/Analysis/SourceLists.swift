/// The sources behind each flag, listed once per distinct set of sources: the communes a set of
/// snapshots covers all share one string (383,625 flags nationally, a handful of lists).
struct SourceLists {
    /// Every snapshot's source name, sorted: a snapshot names its own by position.
    let names: [String]
    /// The names used for the flag being made.
    private var used: [Bool]
    private var lists: [[Bool]: String] = [:]

    init(names: [String]) {
        self.names = names
        used = Array(repeating: false, count: names.count)
    }

    /// Starts the list of a new flag.
    mutating func start() {
        for i in used.indices { used[i] = false }
    }

    /// Marks the source name at position `name` as used.
    mutating func use(_ name: Int) { used[name] = true }

    /// The names used since ``start()``, sorted and comma-separated; nil when none was.
    mutating func list() -> String? {
        guard used.contains(true) else { return nil }
        if let list = lists[used] { return list }
        let list = names.indices.filter { used[$0] }.map { names[$0] }.joined(separator: ",")
        lists[used] = list
        return list
    }
}
