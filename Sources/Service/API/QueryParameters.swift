import Hummingbird

/// Typed reading of a request's query, each bad value a 400 that says which parameter and why.
struct QueryParameters {
    let query: Parameters

    init(_ request: Request) { query = request.uri.queryParameters }

    func string(_ name: String) -> String? { query[Substring(name)].map(String.init) }

    /// Every non-empty value of a repeatable parameter (`dep=23&dep=87`).
    func all(_ name: String) -> [String] { query.getAll(name).filter { !$0.isEmpty } }

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        try optionalInt(name, range: range) ?? fallback
    }

    func optionalInt(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw APIError(.badRequest, "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    func bool(_ name: String) throws -> Bool? {
        switch string(name) {
        case nil: return nil
        case "true": return true
        case "false": return false
        default: throw APIError(.badRequest, "\(name) must be true or false")
        }
    }

    /// A value of a closed set (`format=csv`), by its raw value.
    func value<T: RawRepresentable & CaseIterable>(_ name: String, default fallback: T) throws -> T
    where T.RawValue == String {
        guard let text = string(name) else { return fallback }
        guard let value = T(rawValue: text) else {
            throw APIError(.badRequest, "\(name) must be \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
