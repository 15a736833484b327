import Catalog

/// What an adapter needs to know about a source besides its bytes.
public struct SourceSpec: Sendable {
    public var name: String
    public var kind: SourceKind
    /// The data year (BPE 2013, COG 2026, populations 2021…).
    public var vintage: Int
    /// The COG year the codes are in; defaults to the vintage.
    public var geographyYear: Int
    /// The zip member to read, when the archive holds several.
    public var entry: String?
    /// Column or property name overrides, keyed by role (`code`, `lat`, `lon`, `name`).
    public var columns: [String: String]

    public init(
        name: String, kind: SourceKind, vintage: Int, geographyYear: Int? = nil, entry: String? = nil,
        columns: [String: String] = [:]
    ) {
        self.name = name
        self.kind = kind
        self.vintage = vintage
        self.geographyYear = geographyYear ?? vintage
        self.entry = entry
        self.columns = columns
    }

    /// The configured name for `role`, else the defaults in order.
    func names(_ role: String, default defaults: [String]) -> [String] {
        columns[role].map { [$0] } ?? defaults
    }
}
