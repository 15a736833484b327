/// What premises the field team found are.
public enum PremisesKind: String, Sendable, CaseIterable, Codable {
    /// A former café (licence IV, fittings, a landlord who remembers).
    case formerCafe = "former-cafe"
    /// Premises the commune owns.
    case communal
    /// Private premises to rent or buy.
    case `private`
    case other
}
