import Analysis
import Foundation
import Store

/// Everything known about one commune, as `ruralmapd commune CODE --json` and the API show it.
public struct CommuneReport: Sendable {
    public var info: CommuneInfo
    public var services: [ServiceCount]
    public var formerCommunes: [FormerCommune]
    public var flags: [FlagRecord]
    public var access: [AccessRecord]
    public var candidate: CandidateRecord?
    /// Whether a café source (Sirene, OpenStreetMap) covers the commune.
    public var cafeKnown: Bool

    /// Loads the report, or nil when `code` is not a commune of the target geography.
    public static func load(_ code: String, store: Store, targetVintage: Int) async throws -> CommuneReport? {
        guard let info = try await store.commune(code, targetVintage: targetVintage) else { return nil }
        return CommuneReport(
            info: info, services: try await store.services(commune: info.code),
            formerCommunes: try await store.formerCommunes(of: info.code, targetVintage: targetVintage),
            flags: try await store.flags(commune: info.code), access: try await store.access(commune: info.code),
            candidate: try await store.candidate(commune: info.code),
            cafeKnown: try await store.isCafeKnown(commune: info.code))
    }

    /// The JSON object (keys are part of the CLI contract).
    public var json: [String: Any] {
        [
            "code": info.code, "name": info.name, "type": info.type, "dep": info.dep.json, "reg": info.reg.json,
            "parent": info.parent.json, "population": info.population.json, "population_year": info.populationYear.json,
            "lat": info.lat.json, "lon": info.lon.json, "cafe_known": cafeKnown,
            "services": services.map { s -> [String: Any] in
                var o: [String: Any] = [
                    "category": s.category, "vintage": s.vintage, "source": s.source, "count": s.count,
                ]
                if let kind = s.kind { o["kind"] = kind }
                return o
            },
            "former_communes": formerCommunes.map { ["code": $0.code, "name": $0.name, "type": $0.type] },
            "flags": flags.map {
                [
                    "category": $0.category, "flag": $0.flag, "from": $0.from.json, "to": $0.to.json,
                    "sources": $0.sources.json, "disagreement": $0.disagreement.json,
                ] as [String: Any]
            },
            "access": access.map {
                [
                    "category": $0.category, "nearest_km": $0.nearestKm.json,
                    "catchment_without": $0.catchmentWithout.json,
                ] as [String: Any]
            },
            "candidate": candidate.map { c -> Any in
                [
                    "score": c.score, "rank": c.rank.json, "status": c.status, "note": c.note.json,
                    "first_seen": c.firstSeen,
                    "last_seen": c.lastSeen, "listed": c.listed,
                    "breakdown": (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(c.breakdown))) ?? [],
                ] as [String: Any]
            } ?? NSNull(),
        ]
    }

    /// A human-readable card.
    public var text: String {
        var lines: [String] = []
        lines.append(
            "\(info.name) (\(info.code)) — \(info.type), département \(info.dep ?? "?"), région \(info.reg ?? "?")")
        if let p = info.population {
            lines.append("Population municipale \(p) (\(info.populationYear.map(String.init) ?? "?"))")
        }
        if let lat = info.lat, let lon = info.lon { lines.append(String(format: "Centroid %.5f, %.5f", lat, lon)) }
        lines.append(
            cafeKnown
                ? "Café status known: a café source (Sirene, OpenStreetMap) covers the commune"
                : "Café: unknown (no Sirene or OpenStreetMap source covers the commune; a candidate passes the café gate for want of knowing)"
        )
        if !formerCommunes.isEmpty {
            lines.append(
                "Former communes: "
                    + formerCommunes.map { "\($0.name) (\($0.code), \($0.type))" }.joined(separator: ", "))
        }
        if !services.isEmpty {
            lines.append("")
            lines.append(
                TextTable(
                    ["category", "kind", "vintage", "source", "count"],
                    services.map { [$0.category, $0.kind ?? "", String($0.vintage), $0.source, String($0.count)] }
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
                            f.category, f.flag, f.from.map(String.init) ?? "", f.to.map(String.init) ?? "",
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
                    c.status,
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

extension Optional {
    /// The value, or JSON null.
    var json: Any { self.map { $0 as Any } ?? NSNull() }
}

/// A plain-text table for terminals.
public struct TextTable {
    let header: [String]
    let rows: [[String]]

    public init(_ header: [String], _ rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    public func render() -> String {
        let widths = header.indices.map { i in
            ([header[i]] + rows.map { i < $0.count ? $0[i] : "" }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        return
            ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line))
            .joined(separator: "\n")
    }
}

/// JSON text of a `Codable` contract, as the CLI prints it.
public func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// JSON text for CLI and API output.
public func jsonText(_ object: Any) -> String {
    guard
        let data = try? JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    else { return "null" }
    return String(decoding: data, as: UTF8.self)
}
