/// An INSEE commune code: five characters, digits except Corsica's `2A`/`2B`. Never a number:
/// `01001` keeps its zero.
///
/// `Codable` and stored as its text.
public struct CommuneCode: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Validates `rawValue` like ``init(_:)``.
    public init?(rawValue: String) { self.init(rawValue) }

    /// Validates and normalises `text`; a 4-digit code whose leading zero a spreadsheet ate is restored.
    public init?(_ text: String) {
        // Checked on UTF-8 bytes: this runs for every row of every file.
        let u = Array(text.utf8)
        func digit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        if u.count == 4, u.allSatisfy(digit) {
            rawValue = "0" + text
            return
        }
        guard u.count == 5 else { return nil }
        let corsica = u[0] == 0x32 && (u[1] | 0x20 == 0x61 || u[1] | 0x20 == 0x62)  // 2A, 2B (either case)
        guard digit(u[0]), digit(u[1]) || corsica, digit(u[2]), digit(u[3]), digit(u[4]) else { return nil }
        rawValue = corsica && u[1] >= 0x61 ? text.uppercased() : text
    }

    public var description: String { rawValue }

    /// The département: 2 characters, or 3 overseas (`971`–`976`).
    public var departement: String {
        rawValue.hasPrefix("97") ? String(rawValue.prefix(3)) : String(rawValue.prefix(2))
    }

    public static func < (a: CommuneCode, b: CommuneCode) -> Bool { a.rawValue < b.rawValue }
}
