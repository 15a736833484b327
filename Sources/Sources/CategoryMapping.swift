import Formats

/// Source codes → service categories, per source and per vintage, read from `data/categories.csv`.
///
/// Categories are data: a new one, or a new code after an INSEE renumbering, is a new line in the
/// file, not a code change. Columns: `source;code;category;kind;from;to;label` where `source` is
/// `bpe`, `sirene` or `osm`, `code` a TYPEQU, NAF code or OSM `key=value`, `kind` refines a
/// category (post `office` / `relay` / `agency`), and `from`/`to` bound the vintages (inclusive,
/// empty = open).
public struct CategoryMapping: Sendable {
    public struct Rule: Sendable, Equatable {
        public let source: String
        public let code: String
        public let category: String
        public let kind: String?
        public let from: Int?
        public let to: Int?
        public let label: String

        public func applies(to vintage: Int) -> Bool {
            (from.map { vintage >= $0 } ?? true) && (to.map { vintage <= $0 } ?? true)
        }
    }

    public let rules: [Rule]
    private let bySourceCode: [String: [Rule]]

    public init(rules: [Rule]) {
        self.rules = rules
        bySourceCode = Dictionary(grouping: rules) { "\($0.source)|\($0.code)" }
    }

    /// Reads a mapping file.
    /// - Throws: `FormatError` naming the line of a malformed rule.
    public init(path: String) throws {
        let csv = try CSVReader(source: FileByteSource(path: path), separator: UInt8(ascii: ";"))
        let h = csv.header
        let source = try h.require("source")
        let code = try h.require("code")
        let category = try h.require("category")
        let kind = h.column("kind")
        let from = h.column("from")
        let to = h.column("to")
        let label = h.column("label")
        var rules: [Rule] = []
        while try csv.next() {
            guard let s = csv.string(source), !s.isEmpty, !s.hasPrefix("#") else { continue }
            guard ["bpe", "sirene", "osm"].contains(s), let c = csv.string(code), !c.isEmpty,
                let cat = csv.string(category), !cat.isEmpty
            else {
                throw FormatError(.syntax, "\(path): malformed mapping rule", line: csv.line)
            }
            func year(_ i: Int?) throws -> Int? {
                guard let text = i.flatMap(csv.string), !text.isEmpty else { return nil }
                guard let y = Int(text) else {
                    throw FormatError(.syntax, "\(path): invalid year \(text)", line: csv.line)
                }
                return y
            }
            rules.append(
                Rule(
                    source: s, code: c, category: cat, kind: kind.flatMap(csv.string).flatMap { $0.isEmpty ? nil : $0 },
                    from: try year(from), to: try year(to), label: label.flatMap(csv.string) ?? ""))
        }
        self.init(rules: rules)
    }

    /// The categories `code` of `source` counts for in `vintage`.
    public func rules(source: String, code: String, vintage: Int) -> [Rule] {
        (bySourceCode["\(source)|\(code)"] ?? []).filter { $0.applies(to: vintage) }
    }

    /// Every code of `source` that maps to some category, whatever the vintage.
    public func codes(source: String) -> Set<String> {
        Set(rules.filter { $0.source == source }.map(\.code))
    }

    /// All category names, in file order.
    public var categories: [String] {
        var seen = Set<String>()
        return rules.map(\.category).filter { seen.insert($0).inserted }
    }
}
