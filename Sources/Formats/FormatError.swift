/// An error found while decoding bytes: corrupt or truncated containers, oversized inputs, bad syntax.
public struct FormatError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is, for callers that react differently to each.
    public enum Code: String, Sendable {
        case io, truncated, corrupt, tooLarge, unsupported, syntax, missingEntry, encoding
    }

    public let code: Code
    public let message: String
    /// The 1-based line (CSV) or byte offset (JSON) where it happened, when known.
    public let line: Int?

    public init(_ code: Code, _ message: String, line: Int? = nil) {
        self.code = code
        self.message = message
        self.line = line
    }

    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}
