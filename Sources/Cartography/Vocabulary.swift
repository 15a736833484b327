import Geo

/// A language of the map and the page: French first (readers are mayors and programme staff),
/// English on request.
public enum Language: String, Sendable, CaseIterable {
    case fr, en
}

/// Every word the map and the page show, in one table, so that a category is named the same
/// everywhere and a translator edits one file.
///
/// ```swift
/// let words = Vocabulary(.fr)
/// words["category.post"]       // "La Poste"
/// words.number(1234.5, decimals: 1) // "1 234,5" (narrow no-break space)
/// ```
public struct Vocabulary: Sendable {
    public let language: Language

    public init(_ language: Language) { self.language = language }

    /// The word for `key`; the key's last component when the table has none (a category added
    /// to `categories.csv` but not yet translated still shows, under its code).
    public subscript(key: String) -> String {
        guard let entry = Self.table[key] else { return String(key.split(separator: ".").last ?? Substring(key)) }
        return language == .fr ? entry.fr : entry.en
    }

    /// The mark of a commune's last café to close, from its closing date (`YYYY-MM-DD`; nil:
    /// a former place whose closure is not dated): « dernier café, fermé en 2016 ».
    public func lastCafe(closed: String?) -> String {
        closed.map { self["site.last_cafe"].replacingOccurrences(of: "%1", with: String($0.prefix(4))) }
            ?? self["site.last_cafe_undated"]
    }

    /// `value` with the language's separators: `1 234,5` in French (U+202F between thousands,
    /// as typographers and `Intl.NumberFormat("fr-FR")` write it), `1,234.5` in English.
    public func number(_ value: Double, decimals: Int = 0) -> String {
        let text = DecimalText.format(abs(value), decimals: decimals, trimmed: false)
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = Array(parts[0])
        var grouped = ""
        for (i, digit) in whole.enumerated() {
            if i > 0 && (whole.count - i) % 3 == 0 { grouped += language == .fr ? "\u{202F}" : "," }
            grouped.append(digit)
        }
        let sign = value < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "-" : ""
        guard parts.count == 2 else { return sign + grouped }
        return sign + grouped + (language == .fr ? "," : ".") + parts[1]
    }

    /// The whole table as `{"fr": {key: word}, "en": {…}}`, for the page's script.
    public static var json: [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for language in Language.allCases {
            let words = Vocabulary(language)
            out[language.rawValue] = Dictionary(uniqueKeysWithValues: table.keys.map { ($0, words[$0]) })
        }
        return out
    }

    static let table: [String: (fr: String, en: String)] = [
        // Service categories (the codes of data/categories.csv).
        "category.cafe_bar": ("café, bar", "café, bar"),
        "category.restaurant": ("restaurant", "restaurant"),
        "category.grocery": ("commerce alimentaire", "grocery"),
        "category.supermarket": ("supermarché", "supermarket"),
        "category.bakery": ("boulangerie", "bakery"),
        "category.butcher": ("boucherie", "butcher"),
        "category.post": ("La Poste", "post office"),
        "category.school": ("école", "school"),
        "category.doctor": ("médecin généraliste", "general practitioner"),
        "category.pharmacy": ("pharmacie", "pharmacy"),
        "category.bank": ("banque", "bank"),
        // Map statuses, in legend order.
        "status.candidate": ("commune candidate", "candidate commune"),
        "status.lost_meeting": ("café ou restaurant perdu", "lost its café or restaurant"),
        "status.lost_services": ("commerces ou services perdus", "lost shops or services"),
        "status.no_loss": ("aucune perte", "no loss"),
        "status.rank": ("candidate, rang %1", "candidate, rank %1"),
        "status.ranks": ("candidate, rangs %1–%2", "candidate, ranks %1–%2"),
        // Flags of a category between two vintages.
        "flag.lost": ("perdu", "lost"),
        "flag.kept": ("maintenu", "kept"),
        "flag.gained": ("gagné", "gained"),
        "flag.never": ("absent", "never present"),
        "flag.downgraded": ("réduit", "downgraded"),
        "flag.unknown": ("inconnu", "unknown"),
        // The field team's status of a candidate.
        "field.new": ("nouvelle", "new"),
        "field.contacted": ("mairie contactée", "contacted"),
        "field.feasibility": ("étude de faisabilité", "feasibility study"),
        "field.opened": ("café ouvert", "café opened"),
        "field.rejected": ("écartée", "rejected"),
        // Score terms.
        "term.population": ("population", "population"),
        "term.vitality": ("vitalité", "vitality"),
        "term.trend": ("évolution de la population", "population trend"),
        "term.lost": ("pertes", "losses"),
        "term.distance": ("éloignement", "distance"),
        "term.catchment": ("population desservie", "catchment"),
        // Why a term scored what it did (the breakdown's facts fill %1, %2, %3, %4).
        "detail.population": (
            "%1 habitants : viabilité %2 (pleine de %3 à %4 habitants)",
            "%1 inhabitants: viability %2 (full from %3 to %4 inhabitants)"
        ),
        "detail.vitality": ("encore là : %1 (%2 sur %3)", "still has: %1 (%2 of %3)"),
        "detail.vitality.none": ("plus aucun service du quotidien", "no everyday service left"),
        "detail.trend": ("population %1 % de %2 à %3", "population %1 % from %2 to %3"),
        "detail.trend.none": (
            "une seule année de population chargée : pas de tendance", "one population year loaded: no trend"
        ),
        "detail.lost": ("perdus : %1", "lost: %1"),
        "detail.lost.none": ("aucune perte", "no loss"),
        "detail.distance.none": ("aucune distance connue", "no distance known"),
        "detail.catchment": (
            "%1 habitants à moins de %2 km vivent dans une commune sans café",
            "%1 inhabitants within %2 km live in communes without a café"
        ),
        "detail.catchment.unknown": (
            "statut du café inconnu (aucune source de cafés ne couvre la zone) : population desservie inconnue",
            "café status unknown (not covered by a café source: Sirene or OpenStreetMap): catchment unknown"
        ),
        // Whether a café source (Sirene, OpenStreetMap) covers a commune.
        "cafe.known": ("aucun café ouvert", "no café open"),
        "cafe.unknown": ("café : inconnu", "café: unknown"),
        "cafe.unknown_note": (
            "Statut du café inconnu : aucune source Sirene ou OpenStreetMap ne couvre cette commune ; "
                + "candidate, elle ne passe le filtre des cafés que faute de savoir.",
            "Café status unknown: no Sirene or OpenStreetMap source covers this commune; "
                + "as a candidate, it passes the café gate only for want of knowing."
        ),
        "status.cafe_unknown": ("hachures : café inconnu", "hatched: café unknown"),
        // The map and the page.
        "ui.title": ("Où rouvrir un café ?", "Where to re-open a café?"),
        "ui.map_title": ("Communes : pertes et candidates", "Communes: losses and candidates"),
        "ui.map_title_losses": ("Communes : pertes de commerces et services", "Communes: lost shops and services"),
        "ui.legend": ("Légende", "Legend"),
        "ui.scale": ("Échelle", "Scale"),
        "ui.km": ("km", "km"),
        "ui.inhabitants": ("habitants", "inhabitants"),
        "ui.departement": ("Département", "Département"),
        "ui.departements": ("Départements", "Départements"),
        "ui.pick_departements": ("Choisissez un ou plusieurs départements", "Pick one or more départements"),
        "ui.show_map": ("Afficher la carte", "Show the map"),
        "ui.change_departements": ("Changer de départements", "Change départements"),
        "ui.communes": ("communes", "communes"),
        "ui.candidates_count": ("candidates", "candidates"),
        "ui.unplaced": (
            "%1 communes sans contour ni centroïde ne sont pas dessinées.",
            "%1 communes without contour or centroid are not drawn."
        ),
        "ui.candidates": ("Communes candidates", "Candidate communes"),
        "ui.rank": ("Rang", "Rank"),
        "ui.commune": ("Commune", "Commune"),
        "ui.dep": ("Dép.", "Dep."),
        "ui.population": ("Population", "Population"),
        "ui.score": ("Score", "Score"),
        "ui.field_status": ("Suivi terrain", "Field status"),
        "ui.note": ("Note", "Note"),
        "ui.all": ("Tous", "All"),
        "ui.filter_category": ("Service absent", "Missing service"),
        "ui.download_csv": ("Télécharger la sélection (CSV)", "Download the selection (CSV)"),
        "ui.download_geojson": ("Télécharger la sélection (GeoJSON)", "Download the selection (GeoJSON)"),
        "ui.card_services": ("Services par catégorie et millésime", "Services by category and vintage"),
        "ui.card_flags": ("Évolution", "Change"),
        "ui.card_nearest": ("Le plus proche", "Nearest"),
        "ui.card_breakdown": ("Détail du score", "Score breakdown"),
        "ui.card_field": ("Suivi terrain", "Field follow-up"),
        "ui.category": ("Catégorie", "Category"),
        "ui.change": ("Évolution", "Change"),
        "ui.term": ("Critère", "Term"),
        "ui.value": ("Valeur", "Value"),
        "ui.detail": ("Détail", "Detail"),
        "ui.not_candidate": ("Pas candidate", "Not a candidate"),
        "ui.token": ("Jeton d’accès (pour modifier)", "Access token (to edit)"),
        "ui.save": ("Enregistrer", "Save"),
        "ui.saved": ("Enregistré", "Saved"),
        "ui.save_failed": ("Échec de l’enregistrement", "Saving failed"),
        "ui.close": ("Fermer", "Close"),
        "ui.switch_language": ("English", "Français"),
        "ui.no_data": (
            "Aucune donnée : lancez d’abord « ruralmapd run ».", "No data: run “ruralmapd run” first."
        ),
        "ui.population_year": ("population municipale %1", "population municipale %1"),
        "ui.cafe": ("Café", "Café"),
        "ui.per_dep": ("Par département", "Per département"),
        "ui.per_dep_best": ("les %1 meilleures", "the best %1"),
        // Alerts: what changed in the watched services since the previous analysis.
        "ui.alerts": ("Alertes récentes", "Recent alerts"),
        "ui.no_alerts": ("Aucune alerte pour ces départements.", "No alert for these départements."),
        "ui.alerts_feed": ("Suivre ces alertes (flux Atom)", "Follow these alerts (Atom feed)"),
        "change.lost": ("perdu", "lost"),
        "change.downgraded": ("réduit", "reduced"),
        "change.regained": ("retrouvé", "regained"),
        // Sites: the premises of a commune (cafés, restaurants, groceries, the team's finds).
        "site.open": ("lieu ouvert", "open place"),
        "site.closed": ("lieu fermé", "closed place"),
        "site.team": ("local repéré par l’équipe", "premises found by the team"),
        "site.last_cafe": ("dernier café, fermé en %1", "last café, closed %1"),
        "site.last_cafe_undated": ("dernier café (fermeture non datée)", "last café (closure not dated)"),
        "site.approximate": ("position approximative", "approximate position"),
        "ui.card_sites": (
            "Lieux : cafés, restaurants, épiceries, locaux", "Places: cafés, restaurants, groceries, premises"
        ),
        "ui.no_sites": ("Aucun lieu connu.", "No place known."),
        "ui.site_label": ("Nom", "Name"),
        "ui.address": ("Adresse", "Address"),
        "ui.opened": ("Ouverture", "Opened"),
        "ui.closed": ("Fermeture", "Closed"),
        "ui.source": ("Source", "Source"),
        "ui.site_status": ("Suivi", "Follow-up"),
        "ui.licence_iv": ("Licence IV", "Licence IV"),
        "site_status.proposed": ("repéré", "proposed"),
        "site_status.visited": ("visité", "visited"),
        "site_status.retained": ("retenu", "retained"),
        "site_status.rejected": ("écarté", "rejected"),
        "licence.yes": ("oui", "yes"),
        "licence.no": ("non", "no"),
        "licence.unknown": ("inconnue", "unknown"),
        "kind.former-cafe": ("ancien café", "former café"),
        "kind.communal": ("local communal", "communal premises"),
        "kind.private": ("local privé", "private premises"),
        "kind.other": ("autre", "other"),
    ]
}
