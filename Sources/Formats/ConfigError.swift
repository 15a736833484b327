/// A configuration error, with the line and key it concerns.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let line: Int?
    public let message: String
    public var file: String?

    public init(line: Int?, _ message: String, file: String? = nil) {
        self.line = line
        self.message = message
        self.file = file
    }

    public var description: String {
        [file, line.map { "line \($0)" }].compactMap { $0 }.joined(separator: ":")
            + (file == nil && line == nil ? "" : ": ") + message
    }
}
