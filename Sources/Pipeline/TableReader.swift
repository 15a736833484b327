import Formats

/// Reads typed keys out of a TOML table and reports unknown, missing or ill-typed keys with their line.
struct TableReader {
    let table: TOMLDocument.Table?
    let name: String
    let allowed: Set<String>

    /// Reads `table` (named `name` in messages), whose keys must all be `allowed`: a misspelt
    /// key is reported as such before any key it was meant to be is reported missing.
    /// - Throws: ``ConfigError`` naming the first unknown key and its line.
    init(_ table: TOMLDocument.Table?, name: String, allowed: [String]) throws {
        self.table = table
        self.name = name
        self.allowed = Set(allowed)
        for entry in table?.entries ?? [] where !self.allowed.contains(entry.key) {
            throw ConfigError(
                line: entry.line,
                "unknown key \(entry.key) in [\(name)] (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    private func missing(_ key: String) -> ConfigError {
        ConfigError(line: table?.line, "missing key \(key) in [\(name)]")
    }

    private func bad(_ key: String, _ line: Int, _ expected: String) -> ConfigError {
        ConfigError(line: line, "\(key): expected \(expected)")
    }

    func optionalString(_ key: String) throws -> String? {
        guard let (value, line) = table?[key] else { return nil }
        guard case .string(let s) = value else { throw bad(key, line, "a string") }
        return s
    }

    func string(_ key: String, default fallback: String? = nil) throws -> String {
        if let s = try optionalString(key) { return s }
        if let fallback { return fallback }
        throw missing(key)
    }

    func optionalInt(_ key: String, range: ClosedRange<Int>) throws -> Int? {
        guard let (value, line) = table?[key] else { return nil }
        guard case .integer(let n) = value else { throw bad(key, line, "an integer") }
        guard range.contains(n) else {
            throw bad(key, line, "a value in \(range.lowerBound)...\(range.upperBound), got \(n)")
        }
        return n
    }

    func int(_ key: String, default fallback: Int? = nil, range: ClosedRange<Int>) throws -> Int {
        if let n = try optionalInt(key, range: range) { return n }
        if let fallback { return fallback }
        throw missing(key)
    }

    func double(_ key: String, default fallback: Double? = nil, range: ClosedRange<Double>) throws -> Double {
        guard let (value, line) = table?[key] else {
            if let fallback { return fallback }
            throw missing(key)
        }
        let d: Double
        switch value {
        case .integer(let n): d = Double(n)
        case .float(let f): d = f
        default: throw bad(key, line, "a number")
        }
        guard range.contains(d) else {
            throw bad(key, line, "a value in \(range.lowerBound)...\(range.upperBound), got \(d)")
        }
        return d
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let (value, line) = table?[key] else { return fallback }
        guard case .bool(let b) = value else { throw bad(key, line, "true or false") }
        return b
    }

    func stringArray(_ key: String) throws -> [String]? {
        guard let (value, line) = table?[key] else { return nil }
        guard case .array(let items) = value else { throw bad(key, line, "an array of strings") }
        return try items.map { item in
            guard case .string(let s) = item else { throw bad(key, line, "an array of strings") }
            return s
        }
    }

    func stringTable(_ key: String) throws -> [String: String] {
        guard let (value, line) = table?[key] else { return [:] }
        guard case .table(let inner) = value else { throw bad(key, line, "an inline table of strings") }
        var out: [String: String] = [:]
        for entry in inner.entries {
            guard case .string(let s) = entry.value else { throw bad("\(key).\(entry.key)", line, "a string") }
            out[entry.key] = s
        }
        return out
    }

    func numberTable(_ key: String) throws -> [String: Double] {
        guard let (value, line) = table?[key] else { return [:] }
        guard case .table(let inner) = value else { throw bad(key, line, "an inline table of numbers") }
        var out: [String: Double] = [:]
        for entry in inner.entries {
            switch entry.value {
            case .integer(let n): out[entry.key] = Double(n)
            case .float(let f): out[entry.key] = f
            default: throw bad("\(key).\(entry.key)", line, "a number")
            }
        }
        return out
    }
}
