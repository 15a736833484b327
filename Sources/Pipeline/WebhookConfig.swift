import Analysis
import Catalog
import Formats
import Foundation
import Territory

/// One `[[webhook]]`: where new alerts are POSTed, which ones, and the secret that signs them.
public struct WebhookConfig: Sendable {
    /// Names the webhook in the store, the logs, `status` and `/metrics` (the URL may hold a secret).
    public var name: String
    public var url: String
    public var filter: AlertFilter
    /// A file holding the HMAC-SHA256 key; nil: deliveries are not signed.
    public var secretFile: String?

    /// Reads the `index`th `[[webhook]]`; `known`: the categories of the mapping in force.
    init(
        _ table: TOMLDocument.Table, index: Int, known: Set<ServiceCategory>, resolve: (String) -> String
    ) throws {
        let t = try TableReader(table, name: "webhook", allowed: ["name", "url", "dep", "categories", "secret_file"])
        name = try t.string("name", default: "webhook\(index + 1)")
        url = try t.string("url")
        let scheme = url.prefix { $0 != ":" }.lowercased()
        guard url.contains("://"), ["http", "https"].contains(scheme) else {
            throw ConfigError(line: table["url"]?.line, "url: expected an http or https URL")
        }
        let departements = try t.stringArray("dep") ?? []
        if let bad = departements.first(where: { !Coverage.isDepartementCode($0) }) {
            throw ConfigError(line: table["dep"]?.line, "dep: \(bad) is not a département code")
        }
        let categories = try (t.stringArray("categories") ?? []).map {
            try AlertSettings.category($0, known: known, line: table["categories"]?.line)
        }
        filter = AlertFilter(departements: departements, categories: categories)
        secretFile = try t.optionalString("secret_file").map(resolve)
        // A key that cannot be read is a config error now, not a delivery sent unsigned later.
        if secretFile != nil {
            do { _ = try secret() } catch { throw ConfigError(line: table["secret_file"]?.line, "\(error)") }
        }
    }

    /// The signing key: the secret file's content without its final newline.
    /// - Throws: ``ConfigError`` when the file cannot be read.
    public func secret() throws -> Data? {
        guard let secretFile else { return nil }
        guard var data = FileManager.default.contents(atPath: secretFile) else {
            throw ConfigError(line: nil, "webhook \(name): cannot read secret_file \(secretFile)")
        }
        while let last = data.last, last == 0x0A || last == 0x0D { data.removeLast() }
        return data
    }
}
