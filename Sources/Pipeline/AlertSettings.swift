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
    /// Seconds before the second attempt; each next one waits twice as long, at most 6 hours.
    public var retryDelay: Double = 30
    /// Attempts before a delivery is abandoned (with the defaults: over about an hour).
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
        min(retryDelay * pow(2, Double(min(max(0, n - 1), 30))), 6 * 3600)
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
