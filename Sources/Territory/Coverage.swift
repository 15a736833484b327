/// The territory a count or site file describes: a commune of a covered département with no row
/// in the file has **zero** facilities of every type the file covers; a commune outside it is
/// unknown to that file.
///
/// National BPE files list only communes with at least one facility, so the communes a file
/// happens to hold are not its territory: a village that lost everything has no row at all.
public enum Coverage: Sendable, Hashable, CustomStringConvertible {
    /// Every département of the geography.
    case national
    /// These départements only (`23`, `2A`, `971`…).
    case departements(Set<String>)

    /// Whether a commune of `departement` is covered.
    public func covers(departement: String) -> Bool {
        switch self {
        case .national: true
        case .departements(let set): set.contains(departement)
        }
    }

    /// `.national` when this covers every département of `geography`, else itself.
    public func normalised(geography: Set<String>) -> Coverage {
        guard case .departements(let set) = self, !geography.isEmpty, geography.isSubset(of: set) else { return self }
        return .national
    }

    /// The départements of `geography` this coverage lacks, sorted.
    public func lacking(in geography: Set<String>) -> [String] {
        switch self {
        case .national: []
        case .departements(let set): geography.subtracting(set).sorted()
        }
    }

    /// `national`, or the départements comma-separated in order (the stored form).
    public var description: String {
        switch self {
        case .national: "national"
        case .departements(let set): set.sorted().joined(separator: ",")
        }
    }

    /// Reads the stored form back.
    public init(stored text: String) {
        self = text == "national" ? .national : .departements(Set(text.split(separator: ",").map(String.init)))
    }

    /// Whether `text` looks like a département code: two characters (`01`…`95`, `2A`, `2B`) or
    /// three overseas (`971`…`976`).
    public static func isDepartementCode(_ text: String) -> Bool {
        let u = Array(text.utf8)
        func digit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        switch u.count {
        case 2: return (digit(u[0]) && digit(u[1])) || (u[0] == 0x32 && (u[1] == 0x41 || u[1] == 0x42))
        case 3: return u[0] == 0x39 && u[1] == 0x37 && digit(u[2])
        default: return false
        }
    }
}
