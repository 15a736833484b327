import Analysis
import Catalog
import Foundation
import Store

/// A reader's choice of alerts (`alerts --dep --category --since`, the API's query), checked
/// against the store: an unknown département or category, or a `since` that is not a date, is an
/// error saying so.
public enum AlertSelection {
    /// A selection that cannot be served.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// The filter for `departements`, `categories` (names) and `since` (`YYYY-MM-DD` or an ISO
    /// 8601 timestamp, any offset).
    /// - Throws: ``Invalid``.
    public static func filter(
        departements: [String], categories: [String], since: String?, store: Store, targetVintage: Int
    ) async throws -> AlertFilter {
        if let dep = try await store.unknownDepartement(among: departements, targetVintage: targetVintage) {
            throw Invalid(message: "unknown département \(dep)")
        }
        let known = try await store.categories()
        let chosen = categories.map(ServiceCategory.init(rawValue:))
        if let bad = chosen.first(where: { !known.contains($0) }) {
            throw Invalid(
                message: "unknown category \(bad) (known: \(known.map(\.rawValue).sorted().joined(separator: ", ")))")
        }
        var instant: String?
        if let since {
            guard let date = date(since) else {
                throw Invalid(message: "since must be a date (YYYY-MM-DD) or an ISO 8601 timestamp, got \(since)")
            }
            // In the store's own format, so that the text comparison is a time comparison.
            instant = Store.timestampFormatter().string(from: date)
        }
        return AlertFilter(departements: departements, categories: chosen, since: instant)
    }

    /// `YYYY-MM-DD` (midnight UTC) or an ISO 8601 timestamp, with or without fractions of a second.
    static func date(_ text: String) -> Date? {
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        if text.count == 10, let date = day.date(from: text) { return date }
        let instant = ISO8601DateFormatter()
        if let date = instant.date(from: text) { return date }
        instant.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return instant.date(from: text)
    }
}
