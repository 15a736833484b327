/// A category of service or meeting place (`cafe_bar`, `post`…), as `data/categories.csv` names
/// it: an open set that grows with the table, with named constants for the categories the code
/// relies on (as swift-http-types does for `HTTPField.Name`).
///
/// ```swift
/// let cafe: ServiceCategory = .cafeBar      // "cafe_bar"
/// ServiceCategory("laundrette")             // a category added to the table, no code change
/// ```
public struct ServiceCategory: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static func < (a: ServiceCategory, b: ServiceCategory) -> Bool { a.rawValue < b.rawValue }

    /// Cafés and bars: the meeting place a programme reopens (Sirene 56.30Z, OSM cafe/bar/pub).
    public static let cafeBar = ServiceCategory("cafe_bar")
    public static let restaurant = ServiceCategory("restaurant")
    public static let grocery = ServiceCategory("grocery")
    public static let supermarket = ServiceCategory("supermarket")
    public static let bakery = ServiceCategory("bakery")
    public static let butcher = ServiceCategory("butcher")
    /// Post office, agence postale communale or relais poste (kinds `office`, `agency`, `relay`).
    public static let post = ServiceCategory("post")
    public static let school = ServiceCategory("school")
    public static let doctor = ServiceCategory("doctor")
    public static let pharmacy = ServiceCategory("pharmacy")
    public static let bank = ServiceCategory("bank")

    /// Meeting places: a commune that had one and has none now lost its meeting place.
    public static let meetingPlaces: [ServiceCategory] = [.cafeBar, .restaurant]
}

extension ServiceCategory {
    /// A refinement of a category (`kind` in `categories.csv`): the level of a post service.
    public struct Kind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        /// A full post office.
        public static let office = Kind("office")
        /// An agence postale communale (run by the town hall).
        public static let agency = Kind("agency")
        /// A relais poste in a shop.
        public static let relay = Kind("relay")

        /// The level of service, to tell a downgrade (office → agency → relay); 0 for other kinds.
        public var level: Int {
            switch self {
            case .office: 3
            case .agency: 2
            case .relay: 1
            default: 0
            }
        }
    }
}
