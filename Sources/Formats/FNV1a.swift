/// FNV-1a on 64 bits: a short, stable, non-cryptographic digest, for identities derived from
/// what a row holds and for cache tags.
public enum FNV1a {
    /// The hash of `fields`, each followed by a unit separator (0x1F), so that `["ab", "c"]` and
    /// `["a", "bc"]` differ.
    public static func hash(_ fields: [String]) -> UInt64 {
        var hash = basis
        for field in fields { hash = adding(field, to: hash) }
        return hash
    }

    /// The hash of one field: `hash([field])`, without an array.
    public static func hash(_ field: String) -> UInt64 {
        adding(field, to: basis)
    }

    private static let basis: UInt64 = 0xCBF2_9CE4_8422_2325

    /// `hash` with `field` and its separator added.
    private static func adding(_ field: String, to hash: UInt64) -> UInt64 {
        var hash = hash
        for byte in field.utf8 { hash = (hash ^ UInt64(byte)) &* prime }
        return (hash ^ 0x1F) &* prime
    }

    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The hash of `fields`, as the array's `hash` gives it, in 16 hexadecimal digits.
    public static func hex(_ fields: [String]) -> String {
        let hex = String(hash(fields), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
