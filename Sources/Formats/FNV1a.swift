/// FNV-1a on 64 bits: a short, stable, non-cryptographic digest, for identities derived from
/// what a row holds and for cache tags.
public enum FNV1a {
    /// The hash of `fields`, each followed by a unit separator (0x1F), so that `["ab", "c"]` and
    /// `["a", "bc"]` differ.
    public static func hash(_ fields: [String]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for field in fields {
            for byte in field.utf8 { hash = (hash ^ UInt64(byte)) &* prime }
            hash = (hash ^ 0x1F) &* prime
        }
        return hash
    }

    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// ``hash(_:)`` as 16 hexadecimal digits.
    public static func hex(_ fields: [String]) -> String {
        let hex = String(hash(fields), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
