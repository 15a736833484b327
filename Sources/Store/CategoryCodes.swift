import GRDB

/// One line of the category mapping, as stored for queries.
public struct CategoryCode: Sendable {
    public var sourceKind: String
    public var code: String
    public var category: String
    public var kind: String?
    public var from: Int?
    public var to: Int?
    public var label: String
    public init(sourceKind: String, code: String, category: String, kind: String?, from: Int?, to: Int?, label: String)
    {
        self.sourceKind = sourceKind
        self.code = code
        self.category = category
        self.kind = kind
        self.from = from
        self.to = to
        self.label = label
    }
}

extension Store {
    /// Replaces the stored category mapping (it is data, re-read at every run).
    public func writeCategoryMapping(_ codes: [CategoryCode]) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM category_code")
            let s = try db.makeStatement(
                sql:
                    "INSERT INTO category_code (source_kind, code, category, kind, vintage_from, vintage_to, label) VALUES (?,?,?,?,?,?,?)"
            )
            for c in codes {
                try s.execute(arguments: [c.sourceKind, c.code, c.category, c.kind, c.from, c.to, c.label])
            }
        }
    }
}
