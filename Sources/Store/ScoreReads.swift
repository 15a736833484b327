import Analysis
import Foundation
import GRDB

extension Store {
    /// The features of every listed candidate (the gated communes of the last analysis), rebuilt
    /// from their saved breakdowns: what `validate` and `calibrate` rank.
    /// - Throws: `StoreError` when no analysis saved them (none yet, or one by an earlier version).
    public func candidateFeatures() async throws -> [CandidateFeatures] {
        let features = try await pool.read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(Self.candidateColumns) FROM candidate k WHERE k.listed = 1 ORDER BY k.commune")
            let decoder = JSONDecoder()
            var out: [CandidateFeatures] = []
            while let r = try rows.next() {
                guard let text: String = r["breakdown"],
                    let terms = try? decoder.decode([ScoreTerm].self, from: Data(text.utf8)),
                    let f = CandidateFeatures(commune: r["commune"], cafeKnown: r["cafe_known"], breakdown: terms)
                else { return [CandidateFeatures]() }
                out.append(f)
            }
            return out
        }
        guard !features.isEmpty else {
            throw StoreError(path: path, message: "no scored candidates: run `ruralmapd analyze` first")
        }
        return features
    }
}
