import Analysis
import Catalog
import Formats
import Foundation
import Territory

/// `[alerts]`: which categories are watched, and how webhook deliveries are retried.
public struct AlertSettings: Sendable {
    /// The meeting places and everyday services.
    public static let defaultCategories: [ServiceCategory] = [.cafeBar, .restaurant, .grocery, .bakery, .post]

    public var categories = Self.defaultCategories
    /// Seconds before the second attempt; each next one waits twice as long.
    public var retryDelay: Double = 30
    /// Attempts before a delivery is abandoned (the default spans about two hours).
    public var maxAttempts = 8
    /// Seconds a receiver has to answer one attempt.
    public var timeout: Double = 10
    /// Seconds between two looks at the deliveries due.
    public var poll: Double = 5

    public init() {}

    /// Reads `[alerts]`; `known`: the categories of the mapping in force.
    init(_ table: TOMLDocument.Table?, known: Set<ServiceCategory>) throws {
        let t = try TableReader(
            table, name: "alerts", allowed: ["categories", "retry_delay", "max_attempts", "timeout", "poll"])
        if let names = try t.stringArray("categories") {
            categories = try names.map { try Self.category($0, known: known, line: table?["categories"]?.line) }
        }
        retryDelay = try t.double("retry_delay", default: retryDelay, range: 0.01...86_400)
        maxAttempts = try t.int("max_attempts", default: maxAttempts, range: 1...100)
        timeout = try t.double("timeout", default: timeout, range: 0.1...600)
        poll = try t.double("poll", default: poll, range: 0.05...3600)
    }

    /// The delay before attempt `n + 1` after `n` failed ones.
    public func delay(afterAttempts n: Int) -> Double {
        retryDelay * pow(2, Double(max(0, n - 1)))
    }

    static func category(_ name: String, known: Set<ServiceCategory>, line: Int?) throws -> ServiceCategory {
        let category = ServiceCategory(rawValue: name)
        guard known.contains(category) else {
            let list = known.sorted().map(\.rawValue).joined(separator: ", ")
            throw ConfigError(line: line, "categories: unknown category \(name) (known: \(list))")
        }
        return category
    }
}

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
