import Adapters
import Analysis
import Catalog
import Export
import Fetching
import Formats
import Foundation
import Territory

/// ruralmapd's configuration, read from TOML. Relative paths are relative to the config file.
///
/// Unknown keys, missing keys and bad values are errors naming the key and its line: a typo in a
/// production config must not silently fall back to a default.
public struct Config: Sendable {
    public var path: String
    public var storePath: String
    public var cacheDirectory: String
    public var archiveDirectory: String
    public var archiveRetentionDays: Int = 3650
    public var fetch = FetchOptions()
    public var targetVintage: Int
    /// Share of rejected rows above which a source's load is refused (previous data kept).
    public var maxRejectRatio: Double = 0.01
    /// Rejected rows kept per run for the report.
    public var maxRejectsKept: Int = 1000
    /// The category mapping file (`[services] categories`); nil: the table compiled in.
    public var categoriesPath: String?
    public var sources: [SourceConfig]
    public var analysis = AnalysisSettings()
    public var exports: [ExportSettings] = []
    public var api = APISettings()
    public var alerts = AlertSettings()
    public var webhooks: [WebhookConfig] = []

    /// The category mapping in force: the configured file, else the table compiled in.
    /// - Throws: `FormatError` naming the file and line of a malformed rule.
    public func categoryMapping() throws -> CategoryMapping {
        try categoriesPath.map(CategoryMapping.init(path:)) ?? .shipped
    }

    /// Where the config is looked for: `--config`, else `$RURALMAPD_CONFIG`, else the system path.
    public static func resolvePath(
        _ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        explicit ?? environment["RURALMAPD_CONFIG"] ?? "/etc/ruralmapd/ruralmapd.toml"
    }

    /// Reads and validates the config at `path`.
    /// - Throws: ``ConfigError`` naming the file, line and key.
    public static func load(path: String) throws -> Config {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(line: nil, "cannot read the config file", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(line: nil, "the config is not UTF-8", file: path)
        }
        do {
            return try Config(document: TOMLDocument(parsing: text), path: path)
        } catch var error as ConfigError {
            error.file = path
            throw error
        }
    }

    init(document doc: TOMLDocument, path: String) throws {
        self.path = path
        let base = (path as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") ? p : ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(p)
        }
        _ = try TableReader(doc.root, name: "top level", allowed: [])
        let known = ["store", "fetch", "geography", "ingest", "services", "analysis", "export", "api", "alerts"]
        for (name, table) in doc.tables where !known.contains(name) {
            throw ConfigError(line: table.line, "unknown section [\(name)] (known: \(known.joined(separator: ", ")))")
        }
        for (name, tables) in doc.arrays where !["source", "export", "webhook"].contains(name) {
            throw ConfigError(line: tables.first?.line, "unknown section [[\(name)]]")
        }

        let store = try TableReader(doc.tables["store"], name: "store", allowed: ["path"])
        storePath = resolve(try store.string("path", default: "/var/lib/ruralmapd/ruralmap.sqlite"))

        let f = try TableReader(
            doc.tables["fetch"], name: "fetch",
            allowed: [
                "cache_dir", "archive_dir", "archive_retention_days", "connect_timeout", "timeout", "low_speed_limit",
                "low_speed_time", "retries", "retry_base_delay", "max_retry_after", "max_bytes", "max_redirects",
            ])
        cacheDirectory = resolve(try f.string("cache_dir", default: "/var/cache/ruralmapd"))
        archiveDirectory = resolve(
            try f.string("archive_dir", default: (storePath as NSString).deletingLastPathComponent + "/archive"))
        archiveRetentionDays = try f.int("archive_retention_days", default: archiveRetentionDays, range: 1...100_000)
        fetch.connectTimeout = try f.double("connect_timeout", default: fetch.connectTimeout, range: 0.1...3600)
        fetch.totalTimeout = try f.double("timeout", default: fetch.totalTimeout, range: 1...604_800)
        fetch.lowSpeedLimit = try f.int("low_speed_limit", default: fetch.lowSpeedLimit, range: 0...1_000_000_000)
        fetch.lowSpeedTime = try f.int("low_speed_time", default: fetch.lowSpeedTime, range: 1...86_400)
        fetch.retries = try f.int("retries", default: fetch.retries, range: 0...20)
        fetch.retryBaseDelay = try f.double("retry_base_delay", default: fetch.retryBaseDelay, range: 0...3600)
        fetch.maxRetryAfter = try f.double("max_retry_after", default: fetch.maxRetryAfter, range: 0...86_400)
        fetch.maxBytes = Int64(try f.int("max_bytes", default: Int(fetch.maxBytes), range: 1...Int.max))
        fetch.maxRedirects = try f.int("max_redirects", default: fetch.maxRedirects, range: 0...50)
        fetch.userAgent = "ruralmapd/\(RuralmapVersion.current)"

        let g = try TableReader(doc.tables["geography"], name: "geography", allowed: ["target_vintage"])
        targetVintage = try g.int("target_vintage", range: 1943...2100)

        let i = try TableReader(
            doc.tables["ingest"], name: "ingest", allowed: ["max_reject_ratio", "max_rejects_kept"])
        maxRejectRatio = try i.double("max_reject_ratio", default: maxRejectRatio, range: 0...1)
        maxRejectsKept = try i.int("max_rejects_kept", default: maxRejectsKept, range: 0...1_000_000)

        let s = try TableReader(doc.tables["services"], name: "services", allowed: ["categories"])
        categoriesPath = try s.optionalString("categories").map(resolve)

        analysis = try AnalysisSettings(doc.tables["analysis"])
        exports = try (doc.arrays["export"] ?? []).map { try ExportSettings($0, resolve: resolve) }
        api = try APISettings(doc.tables["api"], resolve: resolve)

        var names = Set<String>()
        sources = try (doc.arrays["source"] ?? []).map { table in
            let source = try SourceConfig(table, resolve: resolve)
            guard names.insert(source.name).inserted else {
                throw ConfigError(line: table.line, "source name \(source.name) used twice")
            }
            return source
        }
        // Categories named in alerts are checked against the mapping in force, read only then.
        let named =
            doc.tables["alerts"]?["categories"] != nil
            || (doc.arrays["webhook"] ?? []).contains { $0["categories"] != nil }
        let categories = named ? Set(try categoryMapping().categories) : []
        alerts = try AlertSettings(doc.tables["alerts"], known: categories)
        webhooks = try (doc.arrays["webhook"] ?? []).enumerated().map {
            try WebhookConfig($0.element, index: $0.offset, known: categories, resolve: resolve)
        }
        if let twice = Dictionary(grouping: webhooks, by: \.name).first(where: { $0.value.count > 1 }) {
            throw ConfigError(line: nil, "webhook name \(twice.key) used twice")
        }
    }
}

/// One `[[source]]`.
public struct SourceConfig: Sendable {
    public var name: String
    public var kind: SourceKind
    public var url: String
    public var vintage: Int
    public var geographyYear: Int?
    public var schedule: Schedule?
    public var entry: String?
    public var columns: [String: String] = [:]
    /// The territory the file describes, when stated (`coverage = "national"` or a list of
    /// départements); nil: inferred from the départements present in the file.
    public var coverage: Coverage?
    public var line: Int

    /// Whether the source is a local file (see ``LocalFileFingerprint/isLocal(_:)``).
    public var isLocalFile: Bool { LocalFileFingerprint.isLocal(url) }

    public var spec: SourceSpec {
        SourceSpec(
            name: name, kind: kind, vintage: vintage, geographyYear: geographyYear, entry: entry, columns: columns)
    }

    init(_ table: TOMLDocument.Table, resolve: (String) -> String) throws {
        let t = try TableReader(
            table, name: "source",
            allowed: [
                "name", "kind", "url", "vintage", "geography", "schedule", "entry", "columns", "coverage",
            ])
        line = table.line
        name = try t.string("name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ConfigError(line: table["name"]?.line, "name: use letters, digits, - _ . only")
        }
        let kindText = try t.string("kind")
        guard let kind = SourceKind(rawValue: kindText) else {
            throw ConfigError(
                line: table["kind"]?.line,
                "kind: unknown kind \(kindText) (known: \(SourceKind.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        self.kind = kind
        let rawURL = try t.string("url")
        if rawURL.contains("://") {
            let scheme = rawURL.prefix { $0 != ":" }.lowercased()
            guard ["http", "https", "file"].contains(scheme) else {
                throw ConfigError(line: table["url"]?.line, "url: scheme \(scheme) is not allowed (http, https, file)")
            }
            url = rawURL
        } else {
            // A plain path, relative to the config: fetched as a file:// URL through libcurl like any other.
            url = URL(fileURLWithPath: resolve(rawURL)).standardizedFileURL.absoluteString
        }
        vintage = try t.int("vintage", range: 1900...2100)
        geographyYear = try t.optionalInt("geography", range: 1943...2100)
        if let text = try t.optionalString("schedule") {
            guard let s = Schedule(text) else {
                throw ConfigError(
                    line: table["schedule"]?.line,
                    "schedule: invalid value \(text) (hourly, daily, weekly, monthly, or every N[smhd])")
            }
            schedule = s
        }
        entry = try t.optionalString("entry")
        columns = try t.stringTable("columns")
        coverage = try Self.coverage(table, t)
    }
}

extension SourceConfig {
    /// `coverage = "national"` or `coverage = ["23", "87"]`.
    private static func coverage(_ table: TOMLDocument.Table, _ t: TableReader) throws -> Coverage? {
        guard let (value, line) = table["coverage"] else { return nil }
        let expected =
            "coverage: expected \"national\" or an array of département codes such as [\"23\", \"2A\", \"971\"]"
        if case .string("national") = value { return .national }
        guard let list = try? t.stringArray("coverage"), !list.isEmpty else { throw ConfigError(line: line, expected) }
        if let bad = list.first(where: { !Coverage.isDepartementCode($0) }) {
            throw ConfigError(line: line, "coverage: \(bad) is not a département code (01…95, 2A, 2B, 971…976)")
        }
        return .departements(Set(list))
    }
}

/// When a source is re-fetched by the daemon.
public struct Schedule: Sendable, Equatable {
    public let seconds: Double
    public let text: String

    public init?(_ text: String) {
        self.text = text
        switch text {
        case "hourly": seconds = 3600
        case "daily": seconds = 86_400
        case "weekly": seconds = 7 * 86_400
        case "monthly": seconds = 30 * 86_400
        default:
            guard text.hasPrefix("every "), let unit = text.last, let n = Double(text.dropFirst(6).dropLast()), n > 0
            else { return nil }
            switch unit {
            case "s": seconds = n
            case "m": seconds = n * 60
            case "h": seconds = n * 3600
            case "d": seconds = n * 86_400
            default: return nil
            }
        }
    }
}

/// The program version, sent as `User-Agent: ruralmapd/VERSION`.
public enum RuralmapVersion {
    public static let current = "0.1.0"
}
