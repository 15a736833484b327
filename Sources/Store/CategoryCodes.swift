import Catalog
import GRDB

extension Store {
    /// Replaces the stored category mapping (it is data, re-read at every run).
    public func writeCategoryMapping(_ mapping: CategoryMapping) async throws {
        try await writer.write { db in
            _ = try CategoryRule.deleteAll(db)
            for rule in mapping.rules { try rule.insert(db) }
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
