/// Where the field team stands with a candidate commune.
public enum FieldStatus: String, Sendable, CaseIterable, Codable {
    /// Not looked at yet.
    case new
    /// The town hall was contacted.
    case contacted
    /// A feasibility study is under way.
    case feasibility
    /// A café opened.
    case opened
    /// Set aside.
    case rejected
}
