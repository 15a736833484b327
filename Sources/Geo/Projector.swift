import CProj

/// Projects French official coordinates (Lambert-93, the overseas UTM zones) to WGS84 with PROJ.
///
/// A PROJ context is not thread-safe: each reader owns its `Projector`.
public final class Projector {
    private let context: OpaquePointer?
    private var transforms: [Int: OpaquePointer] = [:]

    public init() { context = proj_context_create() }

    deinit {
        for pj in transforms.values { proj_destroy(pj) }
        proj_context_destroy(context)
    }

    /// The projected CRS INSEE uses for a département (BPE before 2023 and Sirene carry no EPSG column).
    public static func epsg(forDepartement dep: String) -> Int {
        switch dep {
        case "971", "972", "977", "978": return 5490  // UTM 20N (RGAF09)
        case "973": return 2972  // UTM 22N (RGFG95)
        case "974": return 2975  // UTM 40S (RGR92)
        case "976": return 4471  // UTM 38S (RGM04)
        default: return 2154  // Lambert-93, mainland and Corsica
        }
    }

    /// Converts projected `x`, `y` (metres) in `epsg` to WGS84; nil when PROJ cannot, or the result is absurd.
    public func toWGS84(x: Double, y: Double, epsg: Int) -> Coordinate? {
        guard x.isFinite, y.isFinite, let pj = transform(epsg) else { return nil }
        let out = proj_trans(pj, PJ_FWD, proj_coord(x, y, 0, 0))
        let c = Coordinate(lat: out.lp.phi, lon: out.lp.lam)
        return c.isValid && out.v.0 != Double.infinity ? c : nil
    }

    private func transform(_ epsg: Int) -> OpaquePointer? {
        if let pj = transforms[epsg] { return pj }
        guard let raw = proj_create_crs_to_crs(context, "EPSG:\(epsg)", "EPSG:4326", nil) else { return nil }
        // EPSG:4326 is latitude-first; normalise to longitude, latitude.
        let pj = proj_normalize_for_visualization(context, raw)
        proj_destroy(raw)
        guard let pj else { return nil }
        transforms[epsg] = pj
        return pj
    }
}
