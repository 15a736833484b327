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

    /// A batch of sites keeps its texts in one buffer and binds them where they lie: each site
    /// reads back as written, a missing text as NULL and an empty one as "".
    @Test func aBatchOfSitesReadsBackAsWritten() throws {
        typealias Written = (code: String?, name: String?, address: String?, lat: Double?, usable: Bool)
        let written: [Written] = [
            ("23001", "Café de la Mairie", "2 PLACE DE L'ÉGLISE 23150 AHUN", 46.09, true),
            (nil, nil, nil, nil, false),
            ("", "", "", 0, false),
            ("2A004", String(repeating: "Épicerie ", count: 10_000), "", -21.1, true),
        ]
        var batch = SiteBatch()
        for (i, w) in written.enumerated() {
            batch.append(
                SiteBatch.Row(
                    code: batch.text(w.code), commune: batch.text(w.code), type: batch.text("A504"),
                    externalID: batch.text("site \(i)"), name: batch.text(w.name), address: batch.text(w.address),
                    opened: batch.text(nil), closed: batch.text("2015-06-01"), key: Int64(i), lat: w.lat, lon: nil,
                    usable: w.usable, active: true, nonDiffusible: false, method: .code))
        }
        let dir = try TestSupport.temporaryDirectory()
        let queue = try DatabaseQueue(path: dir + "/sites.sqlite")
        let columns = """
            code, commune, type, ext_id, name, address, lat, lon, usable, opened, closed, active, non_diffusible,
            method, ext_hash, batch
            """
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (\(columns))")
            let insert = RowInserter(
                try db.makeStatement(sql: "INSERT INTO t (\(columns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"))
            try batch.insert(with: insert, batch: 7)
        }
        let rows = try queue.read { try Row.fetchAll($0, sql: "SELECT * FROM t ORDER BY rowid") }
        #expect(rows.count == written.count)
        for (i, (w, r)) in zip(written, rows).enumerated() {
            #expect(r["code"] as String? == w.code && r["commune"] as String? == w.code)
            #expect(r["name"] as String? == w.name && r["address"] as String? == w.address)
            #expect(r["lat"] as Double? == w.lat && r["lon"] as Double? == nil)
            #expect(r["usable"] as Bool == w.usable)
            #expect(r["type"] as String == "A504" && r["ext_id"] as String == "site \(i)")
            #expect(r["opened"] as String? == nil && r["closed"] as String == "2015-06-01")
            #expect(r["method"] as String == "code" && r["ext_hash"] as Int == i && r["batch"] as Int == 7)
        }
        // "" and NULL stay apart.
        #expect(rows[2]["code"] as String? == "" && rows[1]["code"] as String? == nil)
    }
}
