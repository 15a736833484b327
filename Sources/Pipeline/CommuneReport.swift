import Analysis
import Catalog
import Foundation
import Store
import Territory

/// Everything known about one commune: `ruralmapd commune CODE --json` and
/// `GET /api/v1/communes/{code}`, one contract.
public struct CommuneReport: Sendable, Codable, Equatable {
    public var code: CommuneCode
    public var name: String
    public var type: CommuneType
    @Nullable public var dep: String?
    @Nullable public var reg: String?
    @Nullable public var parent: CommuneCode?
    @Nullable public var population: Int?
    @Nullable public var populationYear: Int?
    @Nullable public var lat: Double?
    @Nullable public var lon: Double?
    /// Whether a café source (Sirene, OpenStreetMap) covers the commune.
    public var cafeKnown: Bool
    public var services: [ServiceCount]
    public var formerCommunes: [FormerCommune]
    public var flags: [Flag]
    public var access: [Access]
    @Nullable public var candidate: Candidate?

    /// A category's change between the vintages compared.
    public struct Flag: Sendable, Codable, Equatable {
        public var category: ServiceCategory
        public var flag: LossFlag
        @Nullable public var from: Int?
        @Nullable public var to: Int?
        @Nullable public var sources: String?
        @Nullable public var disagreement: String?
    }

    /// The distance to the nearest site of a category and the people around without one.
    public struct Access: Sendable, Codable, Equatable {
        public var category: ServiceCategory
        @Nullable public var nearestKm: Double?
        @Nullable public var catchmentWithout: Int?
    }

    /// The commune as a kept candidate.
    public struct Candidate: Sendable, Codable, Equatable {
        public var score: Double
        @Nullable public var rank: Int?
        public var breakdown: [ScoreTerm]
        public var status: FieldStatus
        @Nullable public var note: String?
        public var firstSeen: String
        public var lastSeen: String
        public var listed: Bool
    }

    /// Loads the report, or nil when `code` is not a commune of the target geography.
    public static func load(_ code: CommuneCode, store: Store, targetVintage: Int) async throws -> CommuneReport? {
        guard let records = try await store.communeRecords(code, targetVintage: targetVintage) else { return nil }
        let info = records.info
        return CommuneReport(
            code: info.code, name: info.name, type: info.type, dep: info.dep, reg: info.reg, parent: info.parent,
            population: info.population, populationYear: info.populationYear, lat: info.lat, lon: info.lon,
            cafeKnown: records.cafeKnown, services: records.services, formerCommunes: records.formerCommunes,
            flags: records.flags.map {
                Flag(
                    category: $0.category, flag: $0.flag, from: $0.vintageFrom, to: $0.vintageTo, sources: $0.sources,
                    disagreement: $0.disagreement)
            },
            access: records.access.map {
                Access(category: $0.category, nearestKm: $0.nearestKm, catchmentWithout: $0.catchmentWithout)
            },
            candidate: records.candidate.map {
                Candidate(
                    score: $0.score, rank: $0.rank, breakdown: $0.breakdown, status: $0.status, note: $0.note,
                    firstSeen: $0.firstSeen, lastSeen: $0.lastSeen, listed: $0.listed)
            })
    }

    /// A human-readable card.
    public var text: String {
        var lines: [String] = []
        lines.append(
            "\(name) (\(code)) — \(type.rawValue), département \(dep ?? "?"), région \(reg ?? "?")")
        if let population {
            lines.append("Population municipale \(population) (\(populationYear.map(String.init) ?? "?"))")
        }
        if let lat, let lon { lines.append(String(format: "Centroid %.5f, %.5f", lat, lon)) }
        lines.append(
            cafeKnown
                ? "Café status known: a café source (Sirene, OpenStreetMap) covers the commune"
                : "Café: unknown (no Sirene or OpenStreetMap source covers the commune; "
                    + "a candidate passes the café gate for want of knowing)"
        )
        if !formerCommunes.isEmpty {
            lines.append(
                "Former communes: "
                    + formerCommunes.map { "\($0.name) (\($0.code), \($0.type.rawValue))" }.joined(separator: ", "))
        }
        if !services.isEmpty {
            lines.append("")
            lines.append(
                TextTable(
                    ["category", "kind", "vintage", "source", "count"],
                    services.map {
                        [
                            $0.category.rawValue, $0.kind?.rawValue ?? "", String($0.vintage), $0.source,
                            String($0.count),
                        ]
                    }
                ).render())
        }
        if !flags.isEmpty {
            lines.append("")
            let nearest = Dictionary(access.map { ($0.category, $0) }, uniquingKeysWith: { a, _ in a })
            lines.append(
                TextTable(
                    ["category", "flag", "from", "to", "nearest km", "pop. within R without"],
                    flags.map { f in
                        [
                            f.category.rawValue, f.flag.rawValue, f.from.map(String.init) ?? "",
                            f.to.map(String.init) ?? "",
                            nearest[f.category]?.nearestKm.map { String(format: "%.1f", $0) } ?? "",
                            nearest[f.category]?.catchmentWithout.map(String.init) ?? "",
                        ]
                    }
                ).render())
        }
        if let c = candidate {
            lines.append("")
            lines.append(
                String(
                    format: "Candidate: rank %@, score %.2f, status %@%@", c.rank.map(String.init) ?? "-", c.score,
                    c.status.rawValue,
                    c.note.map { ", note: \($0)" } ?? ""))
            for term in c.breakdown {
                lines.append(
                    "  " + term.term.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                        + String(format: "%6.2f  ", term.value) + term.detail)
            }
        }
        return lines.joined(separator: "\n")
    }
}
