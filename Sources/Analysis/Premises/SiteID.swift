import Catalog

/// A site's identity in the CLI and the API: `team-12` for premises the field team added,
/// `sirene-40483304800022`, `osm-node-123` or `bpe-h1f2e…` for a source's site — the source's own
/// identity of it (SIRET, OSM element, BPE SIRET or fingerprint), so that it holds across reloads.
/// URL-safe: the `/` of an OSM element is written `-`.
public enum SiteID: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    /// The field team's premises, by their number.
    case team(Int64)
    /// A source's site: its kind and its external identity.
    case source(SourceKind, String)

    /// The source kinds that hold sites.
    public static let siteKinds: [SourceKind] = [.bpe, .sirene, .osm]

    public init?(rawValue: String) {
        guard let dash = rawValue.firstIndex(of: "-") else { return nil }
        let prefix = String(rawValue[..<dash])
        let rest = String(rawValue[rawValue.index(after: dash)...])
        guard !rest.isEmpty else { return nil }
        if prefix == "team" {
            guard let number = Int64(rest), number > 0 else { return nil }
            self = .team(number)
            return
        }
        guard let kind = SourceKind(rawValue: prefix), Self.siteKinds.contains(kind) else { return nil }
        if kind == .osm {
            // node-123 → node/123
            guard let dash = rest.firstIndex(of: "-") else { return nil }
            self = .source(kind, rest.replacingCharacters(in: dash...dash, with: "/"))
        } else {
            self = .source(kind, rest)
        }
    }

    public var rawValue: String {
        switch self {
        case .team(let number): "team-\(number)"
        case .source(let kind, let id):
            "\(kind.rawValue)-\(kind == .osm ? id.replacingOccurrences(of: "/", with: "-") : id)"
        }
    }

    public var description: String { rawValue }
}
