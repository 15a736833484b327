import Analysis
import Catalog
import Foundation

/// An Atom feed (RFC 4287) of alerts, in French: one entry per alert, whose id never changes
/// (`tag:` URI of the store's alert number), so that a feed reader shows each alert once.
public struct AlertFeed: Sendable {
    /// The daemon's address as the client reached it (`http://127.0.0.1:8737`): links point there.
    public var base: String
    /// The feed's own URL path and query (`/api/v1/alerts.atom?dep=23`).
    public var selfPath: String
    /// What the selection is, for the title (« Creuse », « 23, 87 »).
    public var selection: String

    public init(base: String, selfPath: String, selection: String) {
        self.base = base
        self.selfPath = selfPath
        self.selection = selection
    }

    /// The feed's XML for `alerts` (newest first).
    public func xml(_ alerts: [Alert]) -> String {
        let updated = alerts.compactMap(\.detectedAt).max() ?? "1970-01-01T00:00:00Z"
        var out = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
            <id>\(Self.escape(base + selfPath))</id>
            <title>ruralmap : alertes\(selection.isEmpty ? "" : " — " + Self.escape(selection))</title>
            <updated>\(updated)</updated>
            <author><name>ruralmapd</name></author>
            <link rel="self" type="application/atom+xml" href="\(Self.escape(base + selfPath))"/>

            """
        for alert in alerts {
            let link = base + "/?dep=\(alert.departement ?? "")#commune=\(alert.commune.rawValue)"
            let rank = alert.candidateRank.map { " Commune candidate, rang \($0)." } ?? ""
            let vintages = [alert.vintageFrom, alert.vintageTo].compactMap { $0.map(String.init) }.joined(
                separator: "→")
            out += """
                <entry>
                <id>tag:ruralmapd,2026:alert/\(alert.id ?? 0)</id>
                <title>\(Self.escape(Self.title(alert)))</title>
                <updated>\(alert.detectedAt ?? updated)</updated>
                <link rel="alternate" type="text/html" href="\(Self.escape(link))"/>
                <category term="\(alert.category.rawValue)"/>
                <summary>\(Self.escape("\(alert.name) (\(alert.commune.rawValue)) : \(vintages), sources \(alert.sources ?? "?").\(rank)"))</summary>
                </entry>

                """
        }
        return out + "</feed>\n"
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

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
