import Analysis
import Foundation
import GRDB
import Territory

extension Store {
    /// The départements of the target geography.
    public func departementCodes(targetVintage: Int) async throws -> Set<String> {
        try await writer.read { try Self.departementCodes($0, targetVintage: targetVintage) }
    }

    static func departementCodes(_ db: Database, targetVintage: Int) throws -> Set<String> {
        Set(
            try String.fetchAll(
                db, sql: "SELECT DISTINCT dep FROM commune WHERE vintage = ? AND type = 'COM' AND dep IS NOT NULL",
                arguments: [targetVintage]))
    }

    /// The territory each loaded source describes (`national` when it covers every département of
    /// the target geography); sources of the geography itself have none.
    public func coverages(targetVintage: Int) async throws -> [String: Coverage] {
        try await writer.read { db in
            let geography = try Self.departementCodes(db, targetVintage: targetVintage)
            var out: [String: Coverage] = [:]
            for state in try SourceState.filter(sql: "coverage IS NOT NULL").fetchAll(db) {
                out[state.source] = state.coverage.map { Coverage(stored: $0).normalised(geography: geography) }
            }
            return out
        }
    }

    /// Target communes a file of `source` describes: those of its covered départements that existed
    /// in its geography (communes created or re-established since received none of its counts,
    /// which stayed with the commune that kept the code).
    static func describedCommunes(_ db: Database, source: String, communes: [CommuneFacts]) throws -> Set<CommuneCode> {
        guard let state = try SourceState.fetchOne(db, key: source) else { return [] }
        let geography = state.geography ?? state.vintage ?? 0
        let coverage = state.coverage.map(Coverage.init(stored:)) ?? .national
        let newborn = Set(
            try CommuneCode.fetchAll(
                db,
                sql: """
                    SELECT code_ap FROM mouvement
                    WHERE mod IN (20, 21) AND date_eff > ? AND type_ap = 'COM'
                        AND NOT (type_av = 'COM' AND code_av = code_ap)
                    """, arguments: [String(format: "%04d-01-01", geography)]))
        return Set(
            communes.lazy.filter { c in
                (c.dep.map(coverage.covers(departement:)) ?? false) && !newborn.contains(c.code)
            }.map(\.code))
    }
}
