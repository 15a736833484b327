import Foundation

/// What the field team sets on a site: each field given replaces the stored one, nil leaves it.
/// On a source's site only the team's own fields (status, note, licence IV) can be set; the label,
/// address, position and kind are the source's.
public struct SiteChange: Sendable, Equatable {
    public var label: String?
    public var address: String?
    public var lat: Double?
    public var lon: Double?
    public var kind: PremisesKind?
    public var licenceIV: LicenceIV?
    public var status: SiteStatus?
    public var note: String?

    public init(
        label: String? = nil, address: String? = nil, lat: Double? = nil, lon: Double? = nil,
        kind: PremisesKind? = nil, licenceIV: LicenceIV? = nil, status: SiteStatus? = nil, note: String? = nil
    ) {
        self.label = label
        self.address = address
        self.lat = lat
        self.lon = lon
        self.kind = kind
        self.licenceIV = licenceIV
        self.status = status
        self.note = note
    }

    /// Longest label or address accepted.
    public static let maxLabel = 300

    /// Checks the change as new premises (`site` nil) or as a change of `site`.
    /// - Throws: ``PremisesError`` (`invalid`) saying what is wrong.
    public func validate(for site: SiteID?) throws {
        func invalid(_ message: String) -> PremisesError { PremisesError(.invalid, message) }
        if (lat == nil) != (lon == nil) { throw invalid("give both lat and lon, or neither") }
        if let lat, !(-90...90).contains(lat) { throw invalid("lat must be between -90 and 90") }
        if let lon, !(-180...180).contains(lon) { throw invalid("lon must be between -180 and 180") }
        for (name, text) in [("label", label), ("address", address)] where (text?.count ?? 0) > Self.maxLabel {
            throw invalid("\(name) is longer than \(Self.maxLabel) characters")
        }
        switch site {
        case nil:
            guard let label, !label.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw invalid("new premises need a label")
            }
        case .source:
            if label != nil || address != nil || lat != nil || kind != nil {
                throw invalid(
                    "a source's site keeps its source's label, address, position and kind: "
                        + "set its status, note or licence IV")
            }
            if self == SiteChange() { throw invalid("give a status, a note or a licence IV") }
        case .team:
            if let label, label.trimmingCharacters(in: .whitespaces).isEmpty { throw invalid("the label is empty") }
            if self == SiteChange() { throw invalid("nothing to change") }
        }
    }
}
