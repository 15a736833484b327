import Formats
import GRDB

/// The key a site is found by from its source's identity (`ext_id`): the low 32 bits of the
/// FNV-1a hash of the identity, signed. It is stored (`ext_hash`) and looked up together with the
/// identity itself: changing it takes a migration that computes it again for the stored sites,
/// as v16 did. Two identities share a key once in four billion pairs: a national table of
/// 538,804 sites holds a few dozen such pairs, told apart by the identity.
///
/// Identities come in no order (a SIRET, a fingerprint). Indexed alone, their keys had a page in
/// most of the index's leaves written again at each batch of a load. Every site table therefore
/// indexes the key after the number of the batch that wrote the row (`batch`, from 0): a batch's
/// keys go into pages of their own, after the previous batch's. A lookup asks each batch's part
/// of the index (``condition(_:)``), a seek per batch: tens of microseconds. The national BPE's
/// sites took 0.9 s less to insert (3.3 → 2.4 s, replayed in SQLite from Python; 2.1 s without
/// this index).
enum SiteKey {
    static func of(_ externalID: String) -> Int64 {
        Int64(Int32(truncatingIfNeeded: FNV1a.hash(externalID)))
    }

    /// The condition on a site `s` of the `site` view that finds it by its source's identity,
    /// given as two parameters: its key, then the identity. The batch numbers are listed as
    /// literals, from the highest of the current site tables (SQLite seeks each listed value;
    /// it seeks no range of the first column of an index).
    /// - Throws: `DatabaseError`.
    static func condition(_ db: Database) throws -> String {
        var highest = 0
        for current in try GenerationTable.site.current(db) {
            // The table's name is ours (`site_g42`), never input.
            highest = max(highest, try Int.fetchOne(db, sql: "SELECT MAX(batch) FROM \(current.table)") ?? 0)
        }
        let batches = (0...highest).map(String.init).joined(separator: ",")
        return "s.batch IN (\(batches)) AND s.ext_hash = ? AND s.ext_id = ?"
    }
}
