/// An INSEE commune code: five characters, digits except Corsica's `2A`/`2B`. Never a number:
/// `01001` keeps its zero.
public struct CommuneCode: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Validates and normalises `text`; a 4-digit code whose leading zero a spreadsheet ate is restored.
    public init?(_ text: String) {
        var t = text.uppercased()
        if t.count == 4, t.allSatisfy(\.isNumber) { t = "0" + t }
        guard t.count == 5 else { return nil }
        let chars = Array(t)
        let corsica = chars[0] == "2" && (chars[1] == "A" || chars[1] == "B")
        guard chars.enumerated().allSatisfy({ $0.element.isASCII && ($0.element.isNumber || (corsica && $0.offset == 1)) }) else { return nil }
        rawValue = t
    }

    public var description: String { rawValue }

    /// The département: 2 characters, or 3 overseas (`971`–`976`).
    public var departement: String {
        rawValue.hasPrefix("97") ? String(rawValue.prefix(3)) : String(rawValue.prefix(2))
    }

    public static func < (a: CommuneCode, b: CommuneCode) -> Bool { a.rawValue < b.rawValue }
}
