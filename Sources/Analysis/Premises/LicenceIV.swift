/// Whether premises hold a *licence IV* (the licence to sell all alcohols on the spot, scarce
/// because no new one is created: a café that keeps it is worth far more to a programme).
public enum LicenceIV: String, Sendable, CaseIterable, Codable {
    case yes
    case no
    case unknown
}
