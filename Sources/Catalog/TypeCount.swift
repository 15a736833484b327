/// A number of facilities of one type of a source (a BPE TYPEQU): a commune's counts are a list
/// of them, sorted by type.
public struct TypeCount: Sendable, Equatable {
    public var type: String
    public var count: Int

    public init(type: String, count: Int) {
        self.type = type
        self.count = count
    }
}
