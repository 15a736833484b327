import Analysis
import Export
import Formats

extension AnalysisSettings {
    /// Reads `[analysis]`; every key is optional, defaults are documented in the README.
    init(_ table: TOMLDocument.Table?) throws {
        self.init()
        let t = try TableReader(
            table, name: "analysis",
            allowed: [
                "vintage_from", "vintage_to", "max_population", "max_cafes", "radius_km", "band_low", "band_high",
                "band_falloff", "weights",
            ])
        vintageFrom = try t.optionalInt("vintage_from", range: 1900...2100)
        vintageTo = try t.optionalInt("vintage_to", range: 1900...2100)
        maxPopulation = try t.int("max_population", default: maxPopulation, range: 1...10_000_000)
        maxCafes = try t.int("max_cafes", default: maxCafes, range: 0...100)
        radiusKm = try t.double("radius_km", default: radiusKm, range: 0.1...200)
        band.low = try t.int("band_low", default: band.low, range: 1...1_000_000)
        band.high = try t.int("band_high", default: band.high, range: band.low...1_000_000)
        band.falloff = try t.double("band_falloff", default: band.falloff, range: 1.01...1000)
        let kinds = ScoreTerm.Kind.allCases.map(\.rawValue).joined(separator: ", ")
        for (key, value) in try t.numberTable("weights") {
            guard let kind = ScoreTerm.Kind(rawValue: key) else {
                throw ConfigError(line: table?["weights"]?.line, "weights.\(key): unknown term (known: \(kinds))")
            }
            guard value >= 0 else {
                throw ConfigError(line: table?["weights"]?.line, "weights.\(key): expected a weight ≥ 0")
            }
            weights[kind] = value
        }
    }
}

extension ExportSettings {
    /// Reads one `[[export]]`: `format`, `what`, `dep`, `output`.
    init(_ table: TOMLDocument.Table, resolve: (String) -> String) throws {
        let t = try TableReader(table, name: "export", allowed: ["format", "what", "dep", "output", "excel"])
        let formatText = try t.string("format")
        guard let format = ExportFormat(rawValue: formatText) else {
            throw ConfigError(line: table["format"]?.line, "format: expected csv or geojson")
        }
        let whatText = try t.string("what", default: "candidates")
        guard let what = ExportSelection(rawValue: whatText) else {
            throw ConfigError(line: table["what"]?.line, "what: expected candidates, communes or sites")
        }
        self.init(
            format: format, what: what, departements: try t.stringArray("dep") ?? [],
            output: resolve(try t.string("output")),
            excel: try t.bool("excel", default: false))
    }
}

/// `[api]`: where the daemon listens, where its write token is, and where readers reach it.
public struct APISettings: Sendable {
    public var listen = "127.0.0.1:8737"
    public var tokenFile: String?
    /// The address readers use (`https://carto.example.org`, behind the TLS proxy), for the links
    /// of the Atom feed; nil: the address each request came to.
    public var publicURL: String?

    public init() {}

    init(_ table: TOMLDocument.Table?, resolve: (String) -> String) throws {
        let t = try TableReader(table, name: "api", allowed: ["listen", "token_file", "public_url"])
        listen = try t.string("listen", default: listen)
        tokenFile = try t.optionalString("token_file").map(resolve)
        if let url = try t.optionalString("public_url") {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ConfigError(line: table?["public_url"]?.line, "public_url: expected an http or https URL")
            }
            publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
    }
}
