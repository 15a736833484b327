import Catalog
import GRDB

extension Store {
    /// The join of `rows` (an alias of `equipment` or `site`, whose `type` is a source's code) with
    /// the category mapping rule of that code in force at the row's vintage, as `c`; `kind` is the
    /// SQL giving the row's source kind.
    ///
    /// A `CROSS JOIN`: the rows drive. Let the planner start from the mapping, it would copy the
    /// view's union of generation tables into a temporary table first (national BPE counts read in
    /// 4.3 s instead of 1.4 s). Join the rows' other tables the same way.
    static func categoryJoin(_ rows: String, kind: String) -> String {
        """
        CROSS JOIN category_code c ON c.source_kind = \(kind) AND c.code = \(rows).type
            AND (c.vintage_from IS NULL OR \(rows).vintage >= c.vintage_from)
            AND (c.vintage_to IS NULL OR \(rows).vintage <= c.vintage_to)
        """
    }

    /// Replaces the stored category mapping (it is data, re-read at every run).
    public func writeCategoryMapping(_ mapping: CategoryMapping) async throws {
        try await writer.write { db in
            // Rewritten only when it changed: the answers it shapes change then, and so do their ETags.
            guard try CategoryRule.order(Column.rowID).fetchAll(db) != mapping.rules else { return }
            _ = try CategoryRule.deleteAll(db)
            for rule in mapping.rules { try rule.insert(db) }
            try db.execute(sql: "UPDATE data_version SET n = n + 1")
        }
    }

    /// The categories of the mapping in force, in table order.
    public func categories() async throws -> [ServiceCategory] {
        try await writer.read { db in
            var out: [ServiceCategory] = []
            for c in try ServiceCategory.fetchAll(db, sql: "SELECT category FROM category_code ORDER BY rowid")
            where !out.contains(c) {
                out.append(c)
            }
            return out
        }
    }
}
