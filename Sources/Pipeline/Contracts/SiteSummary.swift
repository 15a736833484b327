import Analysis
import Catalog
import Territory

/// One site: `ruralmapd sites CODE --json`, `GET /api/v1/communes/{code}/sites`, and the answers of
/// `site add`/`site set` and their API routes.
public struct SiteSummary: Sendable, Codable, Equatable {
    /// `team-12`, `sirene-…`, `osm-node-…`, `bpe-…`: what `site set` and `PUT /api/v1/sites/{id}` take.
    public var id: String
    public var commune: CommuneCode
    /// Never a person's name; null for non-diffusible rows.
    @Nullable public var label: String?
    @Nullable public var address: String?
    @Nullable public var lat: Double?
    @Nullable public var lon: Double?
    /// The position is the commune's centroid or a poor geolocation.
    public var approximate: Bool
    @Nullable public var kind: PremisesKind?
    /// The source's name in the config, or `team`.
    public var source: String
    @Nullable public var sourceId: String?
    @Nullable public var category: ServiceCategory?
    @Nullable public var opened: String?
    @Nullable public var closed: String?
    /// Null for the team's premises.
    @Nullable public var open: Bool?
    public var lastMeetingPlace: Bool
    public var licenceIv: LicenceIV
    @Nullable public var status: SiteStatus?
    @Nullable public var note: String?

    public init(_ p: Premises) {
        id = p.id.rawValue
        commune = p.commune
        label = p.label
        address = p.address
        lat = p.lat
        lon = p.lon
        approximate = p.approximate
        kind = p.kind
        source = p.source
        sourceId = p.sourceID
        category = p.category
        opened = p.opened
        closed = p.closed
        open = p.open
        lastMeetingPlace = p.lastMeetingPlace
        licenceIv = p.licenceIV
        status = p.status
        note = p.note
    }
}
