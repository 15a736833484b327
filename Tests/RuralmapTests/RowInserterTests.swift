import GRDB
import Testing

@testable import Store

/// The inserter copies a row's texts into a buffer of its own and lets SQLite read them there
/// (``BoundTexts``): what is stored must be what was bound, whatever the texts' lengths.
struct RowInserterTests {
    @Test func textsAreStoredAsBoundWhateverTheirLength() throws {
        let dir = try TestSupport.temporaryDirectory()
        let queue = try DatabaseQueue(path: dir + "/texts.sqlite")
        // Rows whose texts fill the 64 KiB buffer midway: a text that no longer fits is copied by
        // SQLite, those after it may fit again; the next row reuses the buffer from its start.
        let long = String(repeating: "Saint-Léger-de-la-Martinière ", count: 2_500)  // 75,000 bytes
        let half = String(repeating: "é", count: 20_000)  // 40,000 bytes
        let rows: [(String, String?, String, String)] = [
            ("01001", "Café de la Mairie", "", "A504"),
            (half, half, "x", long),
            (long, nil, half, "B207"),
            ("", "", "", ""),
            ("2A004", "L'Épicerie", half, "D307"),
        ]
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (a TEXT, b TEXT, c TEXT, d TEXT)")
            let insert = RowInserter(try db.makeStatement(sql: "INSERT INTO t (a, b, c, d) VALUES (?,?,?,?)"))
            for (a, b, c, d) in rows { try insert.insert(a, b, c, d) }
        }
        let stored = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT a, b, c, d, b IS NULL AS bNull FROM t ORDER BY rowid").map {
                ($0["a"] as String, $0["b"] as String?, $0["c"] as String, $0["d"] as String, $0["bNull"] as Bool)
            }
        }
        #expect(stored.count == rows.count)
        for (row, back) in zip(rows, stored) {
            #expect(back.0 == row.0 && back.2 == row.2 && back.3 == row.3)
            #expect(back.1 == row.1)
            // An empty text is stored as "", not NULL; a nil one as NULL.
            #expect(back.4 == (row.1 == nil))
        }
    }
}
