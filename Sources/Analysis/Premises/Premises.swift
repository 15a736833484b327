import Catalog
import Territory

/// A place a commune had or has for meeting and shopping — a café or bar, a restaurant, a
/// grocery — as a source knows it (open or closed), or premises the field team found: where a
/// café could reopen. A source's site carries the field team's annotation when it has one.
public struct Premises: Sendable, Equatable {
    public var id: SiteID
    public var commune: CommuneCode
    /// The enseigne or usual name, else the activity (« Débit de boissons »); never a person's
    /// name, and nil for non-diffusible rows.
    public var label: String?
    /// Nil for non-diffusible rows.
    public var address: String?
    public var lat: Double?
    public var lon: Double?
    /// The position is the commune's centroid (the source gave none) or poorly geolocated.
    public var approximate: Bool
    /// The team's kind of premises; `former-cafe` for a source's café or bar that closed.
    public var kind: PremisesKind?
    /// The source's name in the config; `team` for the team's premises.
    public var source: String
    /// The source's identity of the site (SIRET, OSM element, BPE SIRET or fingerprint).
    public var sourceID: String?
    public var category: ServiceCategory?
    public var opened: String?
    public var closed: String?
    /// Open now, as its source says; nil for the team's premises.
    public var open: Bool?
    /// The commune's last café or bar to close, where none is open now.
    public var lastMeetingPlace = false
    public var licenceIV: LicenceIV
    public var status: SiteStatus?
    public var note: String?

    public init(
        id: SiteID, commune: CommuneCode, label: String?, address: String?, lat: Double?, lon: Double?,
        approximate: Bool, kind: PremisesKind?, source: String, sourceID: String?, category: ServiceCategory?,
        opened: String?, closed: String?, open: Bool?, licenceIV: LicenceIV, status: SiteStatus?, note: String?
    ) {
        self.id = id
        self.commune = commune
        self.label = label
        self.address = address
        self.lat = lat
        self.lon = lon
        self.approximate = approximate
        self.kind = kind
        self.source = source
        self.sourceID = sourceID
        self.category = category
        self.opened = opened
        self.closed = closed
        self.open = open
        self.licenceIV = licenceIV
        self.status = status
        self.note = note
    }

    /// The categories whose places are listed as premises.
    public static let categories: [ServiceCategory] = [.cafeBar, .restaurant, .grocery]

    /// `sites` (one commune's) with its last café or bar to close marked, when no source shows
    /// one open: the latest closure date wins (a closure without a date, as OpenStreetMap's former
    /// places have, only when no dated one exists).
    public static func markingLastMeetingPlace(_ sites: [Premises]) -> [Premises] {
        let cafes = sites.indices.filter { sites[$0].category == .cafeBar && sites[$0].open != nil }
        guard !cafes.isEmpty, !cafes.contains(where: { sites[$0].open == true }) else { return sites }
        let last = cafes.max { (sites[$0].closed ?? "") < (sites[$1].closed ?? "") }!
        var marked = sites
        marked[last].lastMeetingPlace = true
        return marked
    }
}
