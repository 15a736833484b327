/// The kinds of commune the COG lists (`TYPECOM`).
public enum CommuneType: String, Sendable, CaseIterable, Codable {
    /// A commune: the unit every dataset is translated to.
    case commune = "COM"
    /// A commune déléguée of a commune nouvelle.
    case delegated = "COMD"
    /// A commune associée.
    case associated = "COMA"
    /// A municipal arrondissement of Paris, Lyon or Marseille.
    case arrondissement = "ARM"

    /// Reads a `TYPECOM` value, whatever its case.
    public init?(cog text: String) { self.init(rawValue: text.uppercased()) }
}
