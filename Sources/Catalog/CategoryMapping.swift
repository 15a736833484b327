import Formats
import Foundation

/// Source codes → service categories, per source kind and per vintage (``CategoryRule``).
///
/// Categories are data: a new one, or a new code after an INSEE renumbering, is a new line in the
/// table, not a code change. The table shipped (`Sources/Catalog/categories.csv`, linked from
/// `data/categories.csv`) is compiled into the binary; `[services] categories` in the config
/// points to another file.
public struct CategoryMapping: Sendable {
    public let rules: [CategoryRule]

    public init(rules: [CategoryRule]) {
        self.rules = rules
    }

    /// The table compiled into the binary.
    public static let shipped: CategoryMapping = {
        // The file is part of the build: a malformed one fails the tests, never a user.
        try! CategoryMapping(reading: MemoryByteSource(PackageResources.categories_csv), name: "categories.csv")
    }()

    /// Reads a mapping file.
    /// - Throws: `FormatError` naming the file and the line of a malformed rule.
    public init(path: String) throws {
        try self.init(reading: try FileByteSource(path: path), name: path)
    }

    init(reading source: ByteSource, name: String) throws {
        let csv = try CSVReader(source: source, separator: UInt8(ascii: ";"))
        let h = csv.header
        let source = try h.required("source", in: name)
        let code = try h.required("code", in: name)
        let category = try h.required("category", in: name)
        let kind = h.column("kind")
        let from = h.column("from")
        let to = h.column("to")
        let label = h.column("label")
        func text(_ i: Int?) -> String? { i.flatMap(csv.string).flatMap { $0.isEmpty ? nil : $0 } }
        var rules: [CategoryRule] = []
        while try csv.next() {
            guard let s = text(source), !s.hasPrefix("#") else { continue }
            guard let kindOfSource = SourceKind(rawValue: s), SourceKind.mapped.contains(kindOfSource),
                let c = text(code), let cat = text(category)
            else {
                throw FormatError(.syntax, "\(name): malformed mapping rule", line: csv.line)
            }
            func year(_ i: Int?) throws -> Int? {
                guard let t = text(i) else { return nil }
                guard let y = Int(t) else { throw FormatError(.syntax, "\(name): invalid year \(t)", line: csv.line) }
                return y
            }
            rules.append(
                CategoryRule(
                    sourceKind: kindOfSource, code: c, category: ServiceCategory(cat),
                    kind: text(kind).map { ServiceCategory.Kind($0) }, vintageFrom: try year(from),
                    vintageTo: try year(to), label: text(label) ?? ""))
        }
        self.init(rules: rules)
    }

    /// Every code of `source` that maps to some category in `vintage` (nil: in any vintage).
    public func codes(source: SourceKind, vintage: Int? = nil) -> Set<String> {
        Set(rules.filter { $0.sourceKind == source && vintage.map($0.applies(to:)) ?? true }.map(\.code))
    }

    /// All categories, in table order.
    public var categories: [ServiceCategory] {
        var seen = Set<ServiceCategory>()
        return rules.map(\.category).filter { seen.insert($0).inserted }
    }
}

extension CSVHeader {
    /// The position of a required column of the mapping.
    fileprivate func required(_ name: String, in file: String) throws -> Int {
        guard let i = column(name) else {
            throw FormatError(
                .syntax, "\(file): missing column \(name) (header has: \(names.joined(separator: ", ")))", line: 1)
        }
        return i
    }
}
