import Formats
import Foundation
import GRDB
import Pipeline
import Store
import Territory
import Testing

@testable import Adapters

/// BPE, Sirene and OSM ingested and translated to COG 2026.
@Suite(.serialized) struct ServicesTests {
    /// One store with the real geography and both BPE vintages, shared by the tests of this suite.
    static let realStore: Task<(Store, [String: SourceReport], String), Error> = Task {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let config = try TestSupport.config(
            in: dir,
            sources:
                TestSupport.geographySources(ds)
                + TestSupport.source("bpe2013", "bpe", "file://\(ds)/bpe2013_communes_typequ.csv.gz", vintage: 2013)
                + TestSupport.source("bpe2018", "bpe", "file://\(ds)/bpe2018_ensemble_iris.csv.gz", vintage: 2018))
        let store = try Store(path: config.storePath)
        return (store, try await TestSupport.ingest(config, store: store), ds)
    }

    @Test func nationalTotalsEqualTheFilesWhateverTheMapping() async throws {
        let (store, reports, ds) = try await Self.realStore.value
        #expect(reports["bpe2013"]?.outcome == .loaded)
        #expect(reports["bpe2018"]?.outcome == .loaded)
        let totals = try await store.read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(
                    db, sql: "SELECT source, SUM(count) AS n FROM equipment GROUP BY source"
                ).map { ($0["source"] as String, $0["n"] as Int) })
        }
        // The files' own sums, from the datasets README, recounted here from the raw 2013 file.
        var raw2013 = 0
        for line in try TestSupport.gunzipLines(ds + "/bpe2013_communes_typequ.csv.gz").dropFirst() {
            raw2013 += Int(line.split(separator: ";")[3])!
        }
        #expect(raw2013 == 2_186_273)
        #expect(totals["bpe2013"] == 2_186_273)
        #expect(totals["bpe2018"] == 2_504_782)
    }

    /// Counts are written commune by commune as the file goes. A file whose communes are not
    /// listed together (here the real 2018 IRIS rows of the first départements, sorted by the
    /// IRIS number within the commune, so that a town's IRIS are far apart, three times over)
    /// still gives each commune the sum of its rows, in at most two rows per commune and type.
    @Test func countsOfACommuneMetAgainAreSummed() async throws {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let lines = try TestSupport.gunzipLines(ds + "/bpe2018_ensemble_iris.csv.gz")
        // REG;DEP;DEPCOM;DCIRIS;AN;TYPEQU;NB_EQUIP
        let rows = lines.dropFirst().prefix(40_000).map { $0.split(separator: ";", omittingEmptySubsequences: false) }
        var expected: [String: Int] = [:]
        for r in rows { expected[String(r[2]), default: 0] += 3 * Int(r[6])! }
        let pairs = Set(rows.map { "\($0[2]);\($0[5])" }).count
        let scattered = rows.sorted { ($0[3].suffix(4), $0[5], $0[3]) < ($1[3].suffix(4), $1[5], $1[3]) }
            .map { $0.joined(separator: ";") }
        // The whole of it three times over: every commune and type met again and again.
        try ([String(lines[0])] + scattered + scattered + scattered).joined(separator: "\n").appending("\n")
            .write(toFile: dir + "/bpe.csv", atomically: true, encoding: .utf8)
        let config = try TestSupport.config(
            in: dir,
            sources: TestSupport.geographySources(ds)
                + TestSupport.source("bpe", "bpe", "file://\(dir)/bpe.csv", vintage: 2018))
        let store = try Store(path: config.storePath)
        let reports = try await TestSupport.ingest(config, store: store)
        #expect(reports["bpe"]?.outcome == .loaded)
        let (stored, count) = try await store.read { db in
            (
                try Dictionary(
                    uniqueKeysWithValues: Row.fetchAll(
                        db, sql: "SELECT code, SUM(count) AS n FROM equipment WHERE source = 'bpe' GROUP BY code"
                    )
                    .map { ($0["code"] as String, $0["n"] as Int) }),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM equipment WHERE source = 'bpe'") ?? 0
            )
        }
        #expect(expected.count > 500)
        #expect(stored == expected)
        #expect(count >= pairs && count <= 2 * pairs)
    }

    /// A count file's rows add up by commune and type (IRIS rows of a commune, a commune listed
    /// twice); a row whose count is no count (negative, fractional, not a number, beyond any
    /// commune's) or whose commune or type is not one is rejected with its line, the others load.
    @Test func aCountFilesBadRowsAreRejectedWithTheirLine() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let file = """
            DEPCOM;AN;TYPEQU;NB_EQUIP
            23001;2018;A504;2
            23001;2018;A504;3
            23001;2018;B203;1
            23001;2018;B203;-1
            23002;2018;A504;2.5
            23002;2018;A504;1e30
            23002;2018;A504;deux
            23002;2018;A504;4
            2300X;2018;A504;1
            23002;2018;A5;1
            23002;2018;B203;0

            """
        let (config, store) = try TestSupport.bpeStore(file: file, in: dir)
        let report = try #require(try await TestSupport.ingest(config, store: store)["bpe"])
        #expect(report.outcome == .loaded)
        #expect(report.rowsRejected == 6)
        #expect(report.rowsLoaded == 5)
        let run = try await store.runs(source: "bpe", limit: 1)[0].id
        #expect(try await store.rejectedRows(run: run).map(\.line) == [5, 6, 7, 8, 10, 11])
        let counts = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT code, type, SUM(count) AS n FROM equipment GROUP BY code, type")
                .map { "\($0["code"] as String) \($0["type"] as String) \($0["n"] as Int)" }
        }
        #expect(Set(counts) == ["23001 A504 5", "23001 B203 1", "23002 A504 4", "23002 B203 0"])
    }

    /// A point file's facilities are counted by commune and type from their fields' bytes: the
    /// counts equal the file's, with codes written otherwise (four digits, `2a`, a type between
    /// spaces), communes met again at the end, and bad rows rejected with their line among them.
    @Test func aFacilityFileIsCountedByCommuneAndType() async throws {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        // The first 20,000 rows of the real BPE 2013 (DEPCOM;AN;TYPEQU;NB_EQUIP), plus its Corsican
        // ones, each equipment written out as a facility (DEPCOM;TYPEQU;LONGITUDE;LATITUDE).
        let lines = try TestSupport.gunzipLines(ds + "/bpe2013_communes_typequ.csv.gz").dropFirst()
        let source = lines.prefix(20_000) + lines.filter { $0.hasPrefix("2A") }.prefix(2_000)
        var facilities: [(code: String, type: String)] = []
        for line in source {
            let f = line.split(separator: ";")
            facilities += Array(repeating: (String(f[0]), String(f[2])), count: Int(f[3])!)
        }
        var expected: [String: Int] = [:]
        var file = "DEPCOM;TYPEQU;LONGITUDE;LATITUDE\n"
        var line = 1
        var badLines: [Int] = []
        // The communes of the first 3,000 facilities are met again at the end.
        for (i, f) in (facilities + facilities.prefix(3_000)).enumerated() {
            expected["\(f.code) \(f.type)", default: 0] += 1
            var code = f.code
            var type = f.type
            if i % 97 == 0 && code.hasPrefix("0") { code.removeFirst() }  // 01001 → 1001
            if code.hasPrefix("2A") && i % 2 == 0 { code = "2a" + code.dropFirst(2) }
            if i % 89 == 0 { type = " \(type) " }
            file += "\(code);\(type);;\n"
            line += 1
            if i % 1_000 == 0 {
                for bad in ["ABCDE;A504;;", "_Z;A504;;", "01001;A50;;", "01001;;;", "01001;A5044;;"] {
                    file += bad + "\n"
                    line += 1
                    badLines.append(line)
                }
            }
        }
        let (config, store) = try TestSupport.bpeStore(file: file, in: dir)
        let report = try #require(try await TestSupport.ingest(config, store: store)["bpe"])
        #expect(report.outcome == .loaded)
        #expect(report.rowsLoaded == facilities.count + 3_000)
        #expect(report.rowsRejected == badLines.count)
        let run = try await store.runs(source: "bpe", limit: 1)[0].id
        let rejects = try await store.rejectedRows(run: run)
        #expect(!rejects.isEmpty)
        #expect(rejects.map(\.line) == Array(badLines.prefix(rejects.count)))
        let stored = try await store.read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(
                    db, sql: "SELECT code || ' ' || type AS key, SUM(count) AS n FROM equipment GROUP BY code, type"
                ).map { ($0["key"] as String, $0["n"] as Int) })
        }
        try #require(expected.keys.contains { $0.hasPrefix("2A") })
        #expect(stored == expected)
    }

    /// An address on one line, as INSEE's fields give it: a repetition and a street type spelt
    /// out, in the street's case; nil without a street.
    @Test func addressesAreWrittenOnOneLine() {
        func line(
            _ number: String?, _ repetition: String?, _ type: String?, _ street: String?, _ postcode: String?,
            _ city: String?
        ) -> String? {
            PostalAddress.line(
                number: number, repetition: repetition, streetType: type, street: street, postcode: postcode,
                city: city)
        }
        #expect(
            line("12", "B", "RTE", "DE GUERET", "23000", "SAINTE-FEYRE") == "12 bis ROUTE DE GUERET, 23000 SAINTE-FEYRE"
        )
        #expect(line("3", nil, "PL", "de l'Église", "99330", nil) == "3 place de l'Église, 99330")
        #expect(line(nil, nil, "LD", "LE BOURG", nil, "Ajain") == "LIEU-DIT LE BOURG, Ajain")
        #expect(line(nil, nil, "RUE", "DE L'ÉGLISE", nil, nil) == "RUE DE L'ÉGLISE")
        #expect(line(nil, nil, "RUE", "de l’Église", nil, nil) == "rue de l’Église")
        #expect(line("7", "x", "XYZ", "Grand'Rue", "23000", "Guéret") == "7 x XYZ Grand'Rue, 23000 Guéret")
        #expect(line(nil, "B", nil, "LE BOURG", nil, nil) == "LE BOURG")
        #expect(line("5", nil, nil, "LE BOURG", "23000", nil) == "5 LE BOURG, 23000")
        #expect(line("5", nil, "RUE", nil, "23000", "Guéret") == nil)
    }

    /// An address read from a CSV row (put together from the fields' bytes in a UTF-8 file, from
    /// strings in a Windows-1252 one) is the line of its fields, whatever marks a missing field
    /// (nothing, spaces, `_Z`, `_U`, `[ND]`) and with spaces around the fields.
    @Test func anAddressReadFromARowIsTheLineOfItsFields() throws {
        let rows: [[String?]] = [
            ["12", "B", "RTE", "DE GUERET", "23000", "SAINTE-FEYRE"], ["3", nil, "PL", "de l'Église", "99330", nil],
            [nil, nil, "LD", "LE BOURG", nil, "Ajain"], [nil, nil, "RUE", "DE L'ÉGLISE", nil, nil],
            [nil, nil, "rue", "DE L'ÉGLISE", nil, nil], ["7", "x", "XYZ", "Grand'Rue", "23000", "Guéret"],
            [nil, "B", nil, "LE BOURG", nil, nil], ["5", nil, nil, "LE BOURG", "23000", nil],
            ["5", nil, "RUE", nil, "23000", "Guéret"], ["5", "q", "CHE", "des Écoliers", nil, "Saint-Éloi"],
            [nil, nil, nil, "LE BOURG", nil, "Ajain"], ["1", "T", "AV", "JEAN JAURÈS", "23000", "GUÉRET"],
        ]
        let columns = PostalAddress.Columns(
            number: 0, repetition: 1, streetType: 2, street: 3, postcode: 4, city: 5)
        let markers = ["", "   ", "_Z", "_U", "[ND]"]
        for encoding in [TextEncoding.utf8, .windows1252] {
            var text = "NUMVOIE;INDREP;TYPVOIE;LIBVOIE;CODPOS;LIBCOM\n"
            for (i, row) in rows.enumerated() {
                text +=
                    row.enumerated().map { k, field in
                        field.map { i % 2 == 0 ? $0 : " \($0) " } ?? markers[(i + k) % markers.count]
                    }.joined(separator: ";") + "\n"
            }
            let bytes = encoding == .utf8 ? Array(text.utf8) : text.unicodeScalars.map { UInt8($0.value) }
            let csv = try CSVReader(source: MemoryByteSource(bytes), separator: UInt8(ascii: ";"), encoding: encoding)
            for row in rows {
                try #require(try csv.next())
                let expected = PostalAddress.line(
                    number: row[0], repetition: row[1], streetType: row[2], street: row[3], postcode: row[4],
                    city: row[5])
                #expect(columns.line(csv) == expected, "\(encoding) \(row)")
            }
        }
        // Two lines as INSEE's fields give them, written out.
        let csv = try CSVReader(
            source: MemoryByteSource(
                Array("a;b;c;d;e;f\n12 ; B;RTE;DE GUERET;23000;SAINTE-FEYRE\n_Z;b;rue;DE L'ÉGLISE;;\n".utf8)),
            separator: UInt8(ascii: ";"), encoding: .utf8)
        try #require(try csv.next())
        #expect(columns.line(csv) == "12 bis ROUTE DE GUERET, 23000 SAINTE-FEYRE")
        try #require(try csv.next())
        #expect(columns.line(csv) == "RUE DE L'ÉGLISE")
    }

    @Test func almostAll2018EquipmentMapsToCOG2026AndUnmappedCodesAreListed() async throws {
        let (store, reports, _) = try await Self.realStore.value
        let unmapped = try await store.read {
            try Int.fetchOne(
                $0, sql: "SELECT COALESCE(SUM(count), 0) FROM equipment WHERE source = 'bpe2018' AND commune IS NULL")
                ?? -1
        }
        #expect(Double(unmapped) <= 0.001 * 2_504_782)
        // Every unmapped code is in the run report with its amount.
        let reported = reports["bpe2018"]?.unmapped.reduce(0) { $0 + $1.amount } ?? -1
        #expect(reported == unmapped)
        let reported2013 = reports["bpe2013"]?.unmapped ?? []
        let stored2013 = try await store.read {
            try Int.fetchOne(
                $0, sql: "SELECT COALESCE(SUM(count), 0) FROM equipment WHERE source = 'bpe2013' AND commune IS NULL")
                ?? -1
        }
        #expect(reported2013.reduce(0) { $0 + $1.amount } == stored2013)
    }

    @Test func parisHasTheSumOfItsArrondissements() async throws {
        let (store, _, ds) = try await Self.realStore.value
        var expected = 0
        for line in try TestSupport.gunzipLines(ds + "/bpe2018_ensemble_iris.csv.gz").dropFirst() {
            let f = line.split(separator: ";")
            if f[2].hasPrefix("751") { expected += Int(f[6])! }
        }
        let paris = try await store.read {
            try Int.fetchOne($0, sql: "SELECT SUM(count) FROM equipment WHERE source = 'bpe2018' AND commune = '75056'")
        }
        #expect(expected > 50_000)
        #expect(paris == expected)
    }

    /// The commune card's inventory for Guéret counts, per category, what the BPE 2018 file
    /// counts for the category's 2018 codes (bakery B203, pharmacy D301, post office A206,
    /// schools C101/C102/C104/C105), and nothing for codes mapped from a later vintage.
    @Test func theCardCountsTheFilesMappedCodes() async throws {
        let (store, _, ds) = try await Self.realStore.value
        let codes = [
            "B203": "bakery", "D301": "pharmacy", "A206": "post", "C101": "school", "C102": "school",
            "C104": "school", "C105": "school",
        ]
        var expected: [String: Int] = [:]
        for line in try TestSupport.gunzipLines(ds + "/bpe2018_ensemble_iris.csv.gz").dropFirst() {
            let f = line.split(separator: ";")
            if f[2] == "23096", let category = codes[String(f[5])] { expected[category, default: 0] += Int(f[6])! }
        }
        let card = try #require(
            try await CommuneReport.load(#require(CommuneCode("23096")), store: store, targetVintage: 2026))
        let counted = Dictionary(
            card.services.filter { $0.source == "bpe2018" }.map { ($0.category.rawValue, $0.count) },
            uniquingKeysWith: +)
        #expect(expected.count == 4 && expected["bakery"]! > 5)
        for (category, count) in expected { #expect(counted[category] == count, "\(category)") }
        #expect(
            card.services.filter { $0.source == "bpe2018" && $0.category.rawValue == "post" }.map(\.kind) == [.office])
    }

    @Test func communeNouvelleSumsItsFormerCommunes() async throws {
        let (store, _, ds) = try await Self.realStore.value
        // Find, straight from the change table, a commune nouvelle created after 2013 from several communes.
        var members: [String: Set<String>] = [:]
        for line in try TestSupport.gunzipLines(ds + "/cog2026_mouvements_communes.csv.gz").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f[0] == "32", f[1] >= "2016", f[1] < "2017", f[2] == "COM", f[8] == "COM" else { continue }
            members[String(f[9]), default: []].insert(String(f[3]))
        }
        let stillThere = try await store.read {
            Set(try String.fetchAll($0, sql: "SELECT code FROM commune WHERE vintage = 2026 AND type = 'COM'"))
        }
        // A commune nouvelle of 2016 untouched since (no later event on its members or itself).
        let laterCodes = Set(
            try TestSupport.gunzipLines(ds + "/cog2026_mouvements_communes.csv.gz").dropFirst().compactMap {
                line -> [String]? in
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                return f[1] >= "2017" ? [String(f[3]), String(f[9])] : nil
            }.flatMap { $0 })
        let (nouvelle, former) = try #require(
            members.filter {
                $0.value.count >= 3 && stillThere.contains($0.key)
                    && laterCodes.isDisjoint(with: $0.value.union([$0.key]))
            }
            .sorted { $0.key < $1.key }.first)
        var expected = 0
        for line in try TestSupport.gunzipLines(ds + "/bpe2013_communes_typequ.csv.gz").dropFirst() {
            let f = line.split(separator: ";")
            if former.contains(String(f[0])) { expected += Int(f[3])! }
        }
        let got = try await store.read {
            try Int.fetchOne(
                $0, sql: "SELECT SUM(count) FROM equipment WHERE source = 'bpe2013' AND commune = ?",
                arguments: [nouvelle])
        }
        #expect(expected > 0)
        #expect(got == expected, "commune nouvelle \(nouvelle) from \(former.sorted())")
    }

    @Test func fixturesParseToTheExpectedRecords() async throws {
        let fx = try TestSupport.formats()
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let config = try TestSupport.config(
            in: dir,
            sources:
                TestSupport.source("cog2026", "cog-communes", "file://\(ds)/cog2026_communes.csv.gz", vintage: 2026)
                + TestSupport.source(
                    "centroids", "centroids", "file://\(ds)/communes_centroides_2024.csv.gz", vintage: 2024)
                + TestSupport.source("bpe24", "bpe", "file://\(fx)/bpe24_BPE24_sample.zip", vintage: 2024)
                + TestSupport.source("bpe21", "bpe", "file://\(fx)/bpe21_ensemble_xy_sample.csv", vintage: 2021)
                + TestSupport.source(
                    "sirene", "sirene", "file://\(fx)/StockEtablissement_utf8_sample.zip", vintage: 2025)
                + TestSupport.source("osm", "osm", "file://\(fx)/overpass_out_center_tags_sample.json", vintage: 2024))
        let store = try Store(path: config.storePath)
        let reports = try await TestSupport.ingest(config, store: store)
        for name in ["bpe24", "bpe21", "sirene", "osm"] {
            #expect(reports[name]?.outcome == .loaded, "\(name): \(reports[name]?.error ?? "")")
        }
        #expect(reports["bpe24"]?.rowsRead == 19)
        #expect(reports["bpe21"]?.rowsRead == 13)
        let sites = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM site ORDER BY source, ext_id").map { r -> [String: String] in
                var d: [String: String] = [:]
                for column in [
                    "source", "code", "commune", "type", "ext_id", "name", "address", "opened", "closed", "method",
                ] {
                    d[column] = r[column]
                }
                d["lat"] = (r["lat"] as Double?).map { String(format: "%.4f", $0) }
                d["lon"] = (r["lon"] as Double?).map { String(format: "%.4f", $0) }
                d["usable"] = String(r["usable"] as Int)
                d["active"] = String(r["active"] as Int)
                d["nd"] = String(r["non_diffusible"] as Int)
                return d
            }
        }
        let sirene = sites.filter { $0["source"] == "sirene" }
        // The Sirene fixture: the first café of Ahun, active, and its closed neighbour with its closure date.
        let relais = try #require(sirene.first { $0["ext_id"] == "41234567000019" })
        #expect(relais["name"] == "LE RELAIS")
        #expect(relais["active"] == "1")
        #expect(relais["commune"] == "23001")
        // Lambert-93 625758.6, 6555086.7 is in Ahun (Creuse), about 46.09 N, 2.04 E.
        #expect(abs(Double(relais["lat"]!)! - 46.09) < 0.02)
        #expect(abs(Double(relais["lon"]!)! - 2.04) < 0.02)
        let closed = try #require(sirene.first { $0["ext_id"] == "41234567000027" })
        #expect(closed["active"] == "0")
        #expect(closed["closed"] == "2015-06-01")
        // Non-diffusible rows: counted, no name, no position.
        let nd = sirene.filter { $0["nd"] == "1" }
        #expect(!nd.isEmpty)
        #expect(nd.allSatisfy { $0["name"] == nil && $0["lat"] == nil })
        let bpe = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT code, commune FROM equipment WHERE source = 'bpe24'").map {
                "\($0["code"] as String)>\(($0["commune"] as String?) ?? "-")"
            }
        }
        #expect(bpe.contains("2A004>2A004"))
        #expect(bpe.contains("97411>97411"))
        #expect(bpe.contains("75101>75056"))
        // The Réunion point (EPSG 2975) lands on Réunion, about 21° S, 55.5° E.
        let reunion = sites.filter { $0["source"] == "bpe24" && $0["code"] == "97411" && $0["lat"] != nil }
        #expect(!reunion.isEmpty)
        #expect(reunion.allSatisfy { abs(Double($0["lat"]!)! + 21) < 0.5 && abs(Double($0["lon"]!)! - 55.5) < 0.5 })
        // A name with the separator inside quotes survives.
        let names = try await store.read {
            try String.fetchAll($0, sql: "SELECT name FROM site WHERE source = 'bpe24' AND name LIKE '%;%'")
        }
        #expect(!names.isEmpty)
        // Distances use only well-placed points (GUIDE §5.8; the rule's cases in
        // `onlyWellPlacedFacilitiesAreUsableForDistances`), and a point needs a position.
        func site(_ source: String, _ code: String, _ type: String) -> [String: String]? {
            sites.first { $0["source"] == source && $0["code"] == code && $0["type"] == type }
        }
        #expect(site("bpe24", "23001", "A504")?["usable"] == "1")  // B, 11
        #expect(site("bpe24", "23002", "B202")?["usable"] == "1")  // A, 12
        #expect(site("bpe24", "23008", "A504")?["usable"] == "0")  // M, 33
        #expect(site("bpe24", "23003", "A208")?["usable"] == "0")  // no position
        #expect(site("bpe21", "23001", "A504")?["usable"] == "1")  // Bonne
        #expect(site("bpe21", "23002", "B202")?["usable"] == "1")  // Acceptable
        #expect(site("bpe21", "23004", "D201")?["usable"] == "0")  // Mauvaise, with a position
        #expect(site("bpe24", "23004", "B201")?["nd"] == "1")  // STATUT_DIFFUSION P
        // OSM: every mapped element placed in a commune, with the method recorded.
        let osm = sites.filter { $0["source"] == "osm" }
        #expect(!osm.isEmpty)
        #expect(osm.allSatisfy { $0["commune"] != nil && $0["method"] == "nearest-centroid" })
    }

    /// Distances use only well-placed BPE points (GUIDE §5.8): QUALITE_XY good or acceptable, in
    /// words (BPE 2021) or letters (2024), in any case, spaces around; never a point randomised in
    /// its commune (QUALITE_GEOLOC 33).
    @Test func onlyWellPlacedFacilitiesAreUsableForDistances() throws {
        let cases: [(quality: String, geoloc: String, usable: Bool)] = [
            ("B", "11", true), ("A", "12", true), (" b ", "11", true), ("Bonne", "", true), ("BONNE", "_Z", true),
            ("Acceptable", "11", true), ("B", "33", false), ("Bonne", " 33 ", false), ("M", "11", false),
            ("Mauvaise", "11", false), ("Non géolocalisé", "11", false), ("_Z", "_Z", false), ("", "11", false),
            ("Ab", "11", false), ("Bonnes", "11", false),
        ]
        let text = "QUALITE_XY;QUALITE_GEOLOC\n" + cases.map { "\($0.quality);\($0.geoloc)\n" }.joined()
        let csv = try CSVReader(source: MemoryByteSource(text))
        for c in cases {
            #expect(try csv.next())
            #expect(BPEAdapter.isUsable(csv, qualityColumn: 0, geolocColumn: 1) == c.usable, "\(c)")
        }
        // BPE 2021 has no QUALITE_GEOLOC: the quality alone decides.
        let quality = try CSVReader(source: MemoryByteSource("QUALITE_XY\nBonne\nMauvaise\n"))
        #expect(try quality.next() && BPEAdapter.isUsable(quality, qualityColumn: 0, geolocColumn: nil))
        #expect(try quality.next() && !BPEAdapter.isUsable(quality, qualityColumn: 0, geolocColumn: nil))
    }

    /// A facility whose row is not diffusible (STATUT_DIFFUSION P, GUIDE §5.7) keeps neither its
    /// name nor its address; its diffusible neighbour keeps both.
    @Test func aNonDiffusibleFacilityKeepsNoNameNorAddress() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let file = """
            DEPCOM;TYPEQU;LONGITUDE;LATITUDE;NOMRS;NUMVOIE;TYPVOIE;LIBVOIE;CODPOS;LIBCOM;STATUT_DIFFUSION;SIRET
            23001;A504;2.04;46.09;LE RELAIS;3;RUE;DE LA POSTE;23150;AHUN;O;41234567000019
            23001;A504;2.05;46.10;M DUPONT;12;RUE;DES ECOLES;23150;AHUN;P;90123456700013

            """
        let (config, store) = try TestSupport.bpeStore(file: file, in: dir)
        #expect(try await TestSupport.ingest(config, store: store)["bpe"]?.outcome == .loaded)
        typealias Stored = (name: String?, address: String?, nonDiffusible: Bool)
        let sites = try await store.read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT ext_id, name, address, non_diffusible FROM site")
                    .map { r -> (String, Stored) in
                        (r["ext_id"], (r["name"], r["address"], r["non_diffusible"]))
                    })
        }
        // A facility's identity is its SIRET and its type.
        let open = try #require(sites["41234567000019.A504"])
        #expect(open.name == "LE RELAIS")
        #expect(open.address?.contains("POSTE") == true)
        #expect(!open.nonDiffusible)
        let partial = try #require(sites["90123456700013.A504"])
        #expect(partial.name == nil && partial.address == nil)
        #expect(partial.nonDiffusible)
    }

    /// A Sirene row whose date is not a date is rejected with its line: read as no date, the
    /// closed café would have been open in every vintage. The other rows load.
    @Test func aSireneDateThatIsNotADateIsRejectedWithItsLine() async throws {
        let fx = try TestSupport.formats()
        let dir = try TestSupport.temporaryDirectory()
        let lines = try String(contentsOfFile: fx + "/StockEtablissement_utf8_sample.csv", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The fixture's closed café of Ahun (line 3), closed on 2015-06-01.
        let row = try #require(lines.firstIndex { $0.hasPrefix("412345670,00027,") })
        #expect(row == 2 && lines[row].contains(",2015-06-01,F,"))
        var edited = lines
        edited[row] = lines[row].replacingOccurrences(of: ",2015-06-01,F,", with: ",2015/06/01,F,")
        try edited.joined(separator: "\n").write(toFile: dir + "/sirene.csv", atomically: true, encoding: .utf8)
        let ds = try TestSupport.datasets()
        let config = try TestSupport.config(
            in: dir,
            sources: TestSupport.source(
                "cog2026", "cog-communes", "file://\(ds)/cog2026_communes.csv.gz", vintage: 2026)
                + TestSupport.source("sirene", "sirene", "file://\(dir)/sirene.csv", vintage: 2025))
        let store = try Store(path: config.storePath)
        let report = try #require(try await TestSupport.ingest(config, store: store)["sirene"])
        #expect(report.outcome == .loaded, "\(report.error ?? "")")
        #expect(report.rowsRejected == 1)
        let rejected = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT line, reason FROM rejected_row").map {
                ($0["line"] as Int, $0["reason"] as String)
            }
        }
        #expect(rejected.count == 1 && rejected.first?.0 == 3, "\(rejected)")
        #expect(rejected.first?.1.contains("dateDebut \"2015/06/01\" is not a date") == true, "\(rejected)")
        let sirets = try await store.read { try String.fetchAll($0, sql: "SELECT ext_id FROM site") }
        #expect(sirets.contains("41234567000019") && !sirets.contains("41234567000027"))
    }

    @Test func wrongHeaderAndTruncatedZipKeepPreviousData() async throws {
        let fx = try TestSupport.formats()
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let zip = try Data(contentsOf: URL(fileURLWithPath: fx + "/bpe24_BPE24_sample.zip"))
        try zip.write(to: URL(fileURLWithPath: dir + "/bpe.zip"))
        let config = try TestSupport.config(
            in: dir,
            sources:
                TestSupport.source("cog2026", "cog-communes", "file://\(ds)/cog2026_communes.csv.gz", vintage: 2026)
                + TestSupport.source("bpe", "bpe", "file://\(dir)/bpe.zip", vintage: 2024))
        let store = try Store(path: config.storePath)
        _ = try await TestSupport.ingest(config, store: store)
        func total() async throws -> Int {
            try await store.read { try Int.fetchOne($0, sql: "SELECT SUM(count) FROM equipment") ?? 0 }
        }
        #expect(try await total() == 19)
        try zip.prefix(zip.count - 40).write(to: URL(fileURLWithPath: dir + "/bpe.zip"))
        let truncated = try await TestSupport.ingest(config, store: store, sources: ["bpe"])
        #expect(truncated["bpe"]?.outcome == .failed)
        #expect(truncated["bpe"]?.error?.contains("zip") == true)
        #expect(try await total() == 19)
        try "FOO;BAR\n1;2\n".write(toFile: dir + "/bpe.zip", atomically: true, encoding: .utf8)
        let wrong = try await TestSupport.ingest(config, store: store, sources: ["bpe"])
        #expect(wrong["bpe"]?.outcome == .failed)
        #expect(wrong["bpe"]?.error?.contains("TYPEQU") == true || wrong["bpe"]?.error?.contains("DEPCOM") == true)
        #expect(try await total() == 19)
        try Data([0xFF, 0xFE, 0x41, 0x00, 0x4E, 0x00]).write(to: URL(fileURLWithPath: dir + "/bpe.zip"))
        let encoding = try await TestSupport.ingest(config, store: store, sources: ["bpe"])
        #expect(encoding["bpe"]?.outcome == .failed)
        #expect(encoding["bpe"]?.error?.contains("UTF-16") == true)
        #expect(try await total() == 19)
    }
}
