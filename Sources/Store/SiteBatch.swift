/// A batch of sites a load writes, kept as its texts' bytes in one buffer and a fixed-size row of
/// references and numbers per site. The commit thread binds the texts where they lie in the
/// buffer: no object, no string per site to retain, release and free there. As a class per site
/// holding its strings, that bookkeeping was a seventh of the commit thread's time in a national
/// BPE load, with the copy of each text that SQLite or ``BoundTexts`` then made.
struct SiteBatch: Sendable {
    /// A text of the batch: where its bytes are in ``texts``; `count` -1 for none.
    struct Text: Sendable {
        fileprivate let start: Int
        fileprivate let count: Int
    }

    /// One site's columns, its texts in ``texts``.
    struct Row: Sendable {
        let code, commune, type, externalID, name, address, opened, closed: Text
        /// ``SiteKey``, computed as the rows are read.
        let key: Int64
        let lat, lon: Double?
        let usable, active, nonDiffusible: Bool
        let method: LocationMethod?
    }

    private var texts: [UInt8] = []
    private(set) var rows: [Row] = []

    /// An empty batch with room for `capacity` sites and 96 bytes of texts each (a national BPE
    /// site has 90 on average).
    init(capacity: Int = 0) {
        rows.reserveCapacity(capacity)
        texts.reserveCapacity(capacity * 96)
    }

    var isEmpty: Bool { rows.isEmpty }

    /// The text `value` as kept in the batch.
    mutating func text(_ value: String?) -> Text {
        guard var value else { return Text(start: 0, count: -1) }
        let start = texts.count
        // Copied from the string's own bytes: appending its `utf8` view went through the
        // generic sequence path, retaining and releasing the string's storage.
        value.withUTF8 { texts.append(contentsOf: $0) }
        return Text(start: start, count: texts.count - start)
    }

    mutating func append(_ row: Row) { rows.append(row) }

    /// Inserts the batch's sites with `statement` (the insert of ``SourceWriter``'s site kind), as
    /// rows of the load's batch number `batch`.
    /// - Throws: `DatabaseError` (see ``RowInserter/insert(_:)``).
    func insert(with statement: RowInserter, batch: Int) throws {
        try texts.withUnsafeBufferPointer { texts in
            func bytes(_ text: Text) -> BufferText? {
                text.count < 0 ? nil : BufferText(start: texts.baseAddress.map { $0 + text.start }, count: text.count)
            }
            for s in rows {
                try statement.insert(
                    bytes(s.code), bytes(s.commune), bytes(s.type), bytes(s.externalID), bytes(s.name),
                    bytes(s.address), s.lat, s.lon, s.usable, bytes(s.opened), bytes(s.closed), s.active,
                    s.nonDiffusible, s.method?.rawValue, s.key, batch)
            }
        }
    }
}
