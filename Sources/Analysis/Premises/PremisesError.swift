/// A site request that cannot be carried out.
public struct PremisesError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable { case invalid, notFound }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
