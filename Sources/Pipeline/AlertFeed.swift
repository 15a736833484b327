import Analysis
import Catalog
import Formats
import Foundation

/// An Atom feed (RFC 4287) of alerts, in French. Its id and its entries' ids are `urn:uuid:`
/// URNs made from the store's identity and, for the feed, its selection, for an entry, the
/// alert's number: the same on every request, unique among installations, so that a feed reader
/// shows each alert once.
public struct AlertFeed: Sendable {
    /// Where readers reach the daemon (`[api] public_url`, else the address the request came to):
    /// the commune links point there.
    public var base: String
    /// The feed's own URL path and query (`/api/v1/alerts.atom?dep=23`).
    public var selfPath: String
    public var store: UUID
    public var filter: AlertFilter

    public init(base: String, selfPath: String, store: UUID, filter: AlertFilter) {
        self.base = base
        self.selfPath = selfPath
        self.store = store
        self.filter = filter
    }

    /// The feed's XML for `alerts` (newest first).
    public func xml(_ alerts: [Alert]) -> String {
        let updated = alerts.compactMap(\.detectedAt).max() ?? "1970-01-01T00:00:00Z"
        let selection = (filter.departements.sorted() + filter.categories.map(\.rawValue).sorted())
        // The selection's hash, its top bit set: never an alert's number.
        let feedID = Self.urn(store, FNV1a.hash(selection) | 1 << 63)
        var out = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
            <id>\(feedID)</id>
            <title>ruralmap : alertes\(selection.isEmpty ? "" : " — " + XMLText.escape(selection.joined(separator: ", ")))</title>
            <updated>\(updated)</updated>
            <author><name>ruralmapd</name></author>
            <link rel="self" type="application/atom+xml" href="\(XMLText.escape(base + selfPath))"/>

            """
        for alert in alerts {
            let link = base + "/?dep=\(alert.departement ?? "")#commune=\(alert.commune.rawValue)"
            let rank = alert.candidateRank.map { " Commune candidate, rang \($0)." } ?? ""
            let vintages = [alert.vintageFrom, alert.vintageTo].compactMap { $0.map(String.init) }.joined(
                separator: "→")
            let summary =
                "\(alert.name) (\(alert.commune.rawValue)) : \(vintages), sources \(alert.sources ?? "?").\(rank)"
            out += """
                <entry>
                <id>\(Self.urn(store, UInt64(alert.id ?? 0)))</id>
                <title>\(XMLText.escape(Self.title(alert)))</title>
                <updated>\(alert.detectedAt ?? updated)</updated>
                <link rel="alternate" type="text/html" href="\(XMLText.escape(link))"/>
                <category term="\(XMLText.escape(alert.category.rawValue))"/>
                <summary>\(XMLText.escape(summary))</summary>
                </entry>

                """
        }
        return out + "</feed>\n"
    }

    /// A version-8 UUID (RFC 9562): the store's, its last 8 bytes mixed with `number`.
    static func urn(_ store: UUID, _ number: UInt64) -> String {
        var bytes = withUnsafeBytes(of: store.uuid) { Array($0) }
        for i in 0..<8 { bytes[8 + i] ^= UInt8(truncatingIfNeeded: number >> (8 * (7 - i))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = bytes.withUnsafeBytes { UUID(uuid: $0.load(as: uuid_t.self)) }
        return "urn:uuid:" + uuid.uuidString.lowercased()
    }

    /// « Lavaveix-les-Mines a perdu son dernier café ».
    public static func title(_ alert: Alert) -> String {
        let w =
            wording[alert.category]
            ?? (lost: "son dernier « \(alert.category) »", again: "un « \(alert.category) »", what: "\(alert.category)")
        switch alert.change {
        case .lost: return "\(alert.name) a perdu \(w.lost)"
        case .downgraded: return "\(alert.name) : \(w.what), service réduit"
        case .regained: return "\(alert.name) a de nouveau \(w.again)"
        }
    }

    /// Per category: what was lost, what is there again, and the service named alone.
    private static let wording: [ServiceCategory: (lost: String, again: String, what: String)] = [
        .cafeBar: ("son dernier café", "un café", "café"),
        .restaurant: ("son dernier restaurant", "un restaurant", "restaurant"),
        .grocery: ("sa dernière épicerie", "une épicerie", "épicerie"),
        .bakery: ("sa dernière boulangerie", "une boulangerie", "boulangerie"),
        .post: ("son dernier point de La Poste", "un point de La Poste", "La Poste"),
        .school: ("sa dernière école", "une école", "école"),
        .pharmacy: ("sa dernière pharmacie", "une pharmacie", "pharmacie"),
        .doctor: ("son dernier médecin", "un médecin", "médecin"),
    ]
}
