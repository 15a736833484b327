import Analysis
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Pipeline
import Territory
import Testing

@testable import Store

/// Candidate sites: the places a commune had and has, the field team's premises and annotations,
/// their exports, and the rule that a non-diffusible establishment shows neither name nor address.
/// Expected values come from the demo's files (data/demo) and the shared fixtures.
@Suite(.serialized) struct SitesTests {
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    static func sites(_ code: String, _ config: String) throws -> [SiteSummary] {
        let out = try CLITests.ruralmapd(["sites", code, "--json", "--config", config])
        guard out.status == 0 else { throw TestFailure("sites \(code) failed: \(out.stderr)") }
        return try decoder().decode([SiteSummary].self, from: Data(out.stdout.utf8))
    }

    /// A CSV file's rows as dictionaries, read by Python's csv module (not the code under test).
    static func csvRows(_ path: String) throws -> [[String: String]] {
        let script = "import csv, json, sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline='')))))"
        let out = try TestSupport.command(["python3", "-c", script, path])
        guard out.status == 0 else { throw TestFailure("python3 could not read \(path): \(out.output)") }
        return try JSONDecoder().decode([[String: String]].self, from: Data(out.output.utf8))
    }

    /// The sites of the mapped categories (café/bar, restaurant, grocery) the demo's files hold,
    /// counted by Python from the files themselves: Sirene rows with a NAF rév. 2 code of those
    /// categories, OpenStreetMap elements tagged (or formerly tagged) as such, BPE 2024 rows of
    /// types A504, B201 and B202.
    static func demoSiteCount() throws -> Int {
        let demo = TestSupport.packageRoot + "/data/demo"
        let script = """
            import csv, io, json, sys, zipfile
            demo = sys.argv[1]
            naf = {"56.30Z", "56.10A", "56.10B", "56.10C", "47.11B", "47.11C"}
            with zipfile.ZipFile(demo + "/StockEtablissement_utf8.zip") as z:
                text = z.read(z.namelist()[0]).decode()
            sirene = sum(1 for r in csv.DictReader(io.StringIO(text))
                         if r["nomenclatureActivitePrincipaleEtablissement"] == "NAFRev2"
                         and r["activitePrincipaleEtablissement"] in naf)
            amenities = {"cafe", "bar", "pub", "restaurant", "fast_food"}
            def osm(tags):
                return any(tags.get(p + "amenity") in amenities or tags.get(p + "shop") in {"convenience", "general"}
                           for p in ("", "disused:", "was:", "abandoned:"))
            elements = json.load(open(demo + "/overpass.json"))["elements"]
            openstreetmap = sum(1 for e in elements if osm(e.get("tags", {})))
            with zipfile.ZipFile(demo + "/BPE24.zip") as z:
                text = z.read(z.namelist()[0]).decode()
            bpe = sum(1 for r in csv.DictReader(io.StringIO(text), delimiter=";") if r["TYPEQU"] in {"A504", "B201", "B202"})
            print(sirene + openstreetmap + bpe)
            """
        let out = try TestSupport.command(["python3", "-c", script, demo])
        guard out.status == 0, let n = Int(out.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("could not count the demo's sites: \(out.output)")
        }
        return n
    }

    @Test func demoCommunesListTheirPlacesAndTheLastCafe() throws {
        let config = try CLITests.demoConfig()
        #expect(try CLITests.ruralmapd(["run", "--config", config]).status == 0)

        // Saint-Amand-des-Brumes: its only café closed on 2019-06-30 (data/demo/README.md).
        let brumes = try Self.sites("99002", config)
        let cafe = try #require(brumes.first { $0.sourceId == "90000003000012" })
        #expect(cafe.id == "sirene-90000003000012")
        #expect(cafe.label == "CAFE DES BRUMES")
        #expect(cafe.address == "4 AVENUE DES TILLEULS, 99002 SAINT-AMAND-DES-BRUMES")
        #expect(cafe.opened == "1985-05-01" && cafe.closed == "2019-06-30" && cafe.open == false)
        #expect(cafe.lastMeetingPlace && cafe.kind == .formerCafe && cafe.category == .cafeBar)
        #expect(cafe.lat != nil && !cafe.approximate)
        let text = try CLITests.ruralmapd(["sites", "99002", "--config", config])
        #expect(text.stdout.contains("last café, closed 2019"), "\(text.stdout)")

        // Vauclerc: Le Balto closed in 2016, but two cafés are open: no "last café".
        let vauclerc = try Self.sites("99001", config)
        let balto = try #require(vauclerc.first { $0.label == "LE BALTO" })
        #expect(balto.closed == "2016-09-30" && !balto.lastMeetingPlace)
        #expect(vauclerc.filter { $0.category == .cafeBar && $0.open == true }.count == 3)  // 2 Sirene + 1 OSM
        #expect(!vauclerc.contains { $0.lastMeetingPlace })

        // Les Landes-Noires: only a former café in OpenStreetMap (disused:amenity=cafe), closure undated.
        let landes = try Self.sites("99003", config)
        let former = try #require(landes.first { $0.id == "osm-node-990003" })
        #expect(former.open == false && former.closed == nil && former.lastMeetingPlace)
        #expect(former.label == "Ancien café" && former.address == "3 Place de l'Église, 99330")

        // Le Mont-Fauvel: a closed café without enseigne nor usual name is named by its activity.
        let fauvel = try Self.sites("99006", config)
        #expect(fauvel.first { $0.sourceId == "90000010000012" }?.label == "Débit de boissons")

        // Val-d'Orvin: the non-diffusible establishment has no label, no address, an approximate position.
        let orvin = try Self.sites("99008", config)
        let hidden = try #require(orvin.first { $0.id == "sirene-90000008000012" })
        #expect(hidden.label == nil && hidden.address == nil && hidden.approximate)
        #expect(hidden.closed == "2020-12-31" && hidden.lastMeetingPlace)
        let orvinText = try CLITests.ruralmapd(["sites", "99008", "--config", config]).stdout
        #expect(!orvinText.contains("DUPONT") && !orvinText.contains("[ND]"), "\(orvinText)")

        let unknown = try CLITests.ruralmapd(["sites", "99999", "--config", config])
        #expect(unknown.status == 1 && unknown.stderr.contains("unknown commune 99999"))
    }

    @Test func teamPremisesAndAnnotationsSurviveReloadsAndAreExported() throws {
        let config = try CLITests.demoConfig()
        let dir = (config as NSString).deletingLastPathComponent
        #expect(try CLITests.ruralmapd(["run", "--config", config]).status == 0)

        let added = try CLITests.ruralmapd([
            "site", "add", "99002", "--label", "Ancienne épicerie", "--address", "1 place de l'Église",
            "--lat", "46.061", "--lon", "2.082", "--kind", "communal", "--licence-iv", "yes", "--status", "proposed",
            "--note", "clé en mairie", "--json", "--config", config,
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let team = try Self.decoder().decode(SiteSummary.self, from: Data(added.stdout.utf8))
        #expect(team.id.hasPrefix("team-") && team.source == "team" && team.open == nil)
        #expect(team.kind == .communal && team.licenceIv == .yes && team.status == .proposed)

        let annotated = try CLITests.ruralmapd([
            "site", "set", "sirene-90000003000012", "--status", "visited", "--licence-iv", "yes",
            "--note", "licence IV gardée par la mairie", "--config", config,
        ])
        #expect(annotated.status == 0, "\(annotated.stderr)")
        let formerOSM = try CLITests.ruralmapd([
            "site", "set", "osm-node-990003", "--status", "proposed", "--note", "bail à reprendre", "--config", config,
        ])
        #expect(formerOSM.status == 0, "\(formerOSM.stderr)")
        // A source's site keeps its source's label; an unknown site and a bad status are refused.
        let relabel = try CLITests.ruralmapd([
            "site", "set", "sirene-90000003000012", "--label", "X", "--config", config,
        ])
        #expect(relabel.status != 0 && relabel.stderr.contains("status, note or licence IV"), "\(relabel.stderr)")
        let missing = try CLITests.ruralmapd(["site", "set", "sirene-1", "--note", "x", "--config", config])
        #expect(missing.status != 0 && missing.stderr.contains("sirene-1"), "\(missing.stderr)")
        let badStatus = try CLITests.ruralmapd(["site", "set", team.id, "--status", "maybe", "--config", config])
        #expect(badStatus.status != 0 && badStatus.stderr.contains("retained"), "\(badStatus.stderr)")

        // Every source reloaded, everything re-analysed: the team's work is still there.
        #expect(try CLITests.ruralmapd(["ingest", "--force", "--config", config]).status == 0)
        #expect(try CLITests.ruralmapd(["analyze", "--config", config]).status == 0)
        let after = try Self.sites("99002", config)
        #expect(after.first { $0.id == team.id } == team)
        let cafe = try #require(after.first { $0.id == "sirene-90000003000012" })
        #expect(cafe.status == .visited && cafe.licenceIv == .yes && cafe.note == "licence IV gardée par la mairie")
        #expect(cafe.label == "CAFE DES BRUMES" && cafe.lastMeetingPlace)
        let landes = try #require(try Self.sites("99003", config).first { $0.id == "osm-node-990003" })
        #expect(landes.status == .proposed && landes.note == "bail à reprendre")

        // CSV: one row per site, the non-diffusible one without label or address.
        let csvPath = dir + "/sites.csv"
        let csv = try CLITests.ruralmapd([
            "export", "--what", "sites", "--format", "csv", "--output", csvPath, "--config", config,
        ])
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = try Self.csvRows(csvPath)
        let expected = try Self.demoSiteCount() + 1  // the team's premises
        #expect(rows.count == expected)
        for field in [
            "commune", "commune_name", "label", "address", "kind", "source", "source_id", "category", "opened",
            "closed", "last_meeting_place", "licence_iv", "status", "note", "approximate",
        ] {
            #expect(rows.first?[field] != nil, "no \(field) column")
        }
        let hidden = try #require(rows.first { $0["source_id"] == "90000008000012" })
        #expect(hidden["label"] == "" && hidden["address"] == "" && hidden["approximate"] == "true")
        let brumes = try #require(rows.first { $0["source_id"] == "90000003000012" })
        #expect(brumes["last_meeting_place"] == "true" && brumes["status"] == "visited")
        #expect(brumes["commune_name"] == "Saint-Amand-des-Brumes")
        #expect(rows.first { $0["source"] == "team" }?["note"] == "clé en mairie")
        let csvText = try String(contentsOfFile: csvPath, encoding: .utf8)
        #expect(!csvText.contains("DUPONT") && !csvText.contains("[ND]"))

        // GeoJSON: points GDAL reads, one feature per site.
        let geojsonPath = dir + "/sites.geojson"
        let geojson = try CLITests.ruralmapd([
            "export", "--what", "sites", "--format", "geojson", "--output", geojsonPath, "--config", config,
        ])
        #expect(geojson.status == 0, "\(geojson.stderr)")
        let (status, info) = try TestSupport.command(["ogrinfo", "-ro", "-so", "-al", geojsonPath])
        #expect(status == 0, "\(info)")
        #expect(info.contains("Feature Count: \(expected)"), "\(info)")
        #expect(info.contains("Geometry: Point"), "\(info)")
        let features =
            (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: geojsonPath)))
            as! [String: Any])["features"] as! [[String: Any]]
        let feature = try #require(
            features.first { ($0["properties"] as? [String: Any])?["source_id"] as? String == "90000008000012" })
        let properties = feature["properties"] as! [String: Any]
        #expect(properties["label"] is NSNull && properties["address"] is NSNull)
        #expect(!(try String(contentsOfFile: geojsonPath, encoding: .utf8)).contains("DUPONT"))
    }

    @Test func theAPIListsAddsAndAnnotatesWithTheToken() async throws {
        let (app, token, _, _) = try await APIRouteTests.demoApp()
        let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        try await app.test(.router) { client in
            let orvin = try await client.execute(uri: "/api/v1/communes/99008/sites", method: .get)
            #expect(orvin.status == .ok)
            let body = String(buffer: orvin.body)
            #expect(!body.contains("DUPONT") && !body.contains("[ND]"))
            let hidden = try #require(
                try Self.decoder().decode([SiteSummary].self, from: Data(buffer: orvin.body)).first {
                    $0.id == "sirene-90000008000012"
                })
            #expect(hidden.label == nil && hidden.address == nil)
            #expect(try await client.execute(uri: "/api/v1/communes/99999/sites", method: .get).status == .notFound)

            let premises = #"{"label":"Salle des fêtes","kind":"communal","status":"proposed"}"#
            let anonymous = try await client.execute(
                uri: "/api/v1/communes/99002/sites", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: premises))
            #expect(anonymous.status == .unauthorized)
            let created = try await client.execute(
                uri: "/api/v1/communes/99002/sites", method: .post, headers: auth, body: ByteBuffer(string: premises))
            #expect(created.status == .created)
            let site = try Self.decoder().decode(SiteSummary.self, from: Data(buffer: created.body))
            #expect(site.id.hasPrefix("team-") && site.label == "Salle des fêtes" && site.kind == .communal)
            let listed = try await client.execute(uri: "/api/v1/communes/99002/sites", method: .get)
            let ids = try Self.decoder().decode([SiteSummary].self, from: Data(buffer: listed.body)).map(\.id)
            #expect(ids.contains(site.id))

            let bad = try await client.execute(
                uri: "/api/v1/sites/\(site.id)", method: .put, headers: auth,
                body: ByteBuffer(string: #"{"status":"maybe"}"#))
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains("proposed, visited, retained, rejected"))
            let unnamed = try await client.execute(
                uri: "/api/v1/communes/99002/sites", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"kind":"private"}"#))
            #expect(unnamed.status == .badRequest)
            let nowhere = try await client.execute(
                uri: "/api/v1/communes/99999/sites", method: .post, headers: auth, body: ByteBuffer(string: premises))
            #expect(nowhere.status == .notFound && String(buffer: nowhere.body).contains("unknown commune 99999"))

            let annotate = try await client.execute(
                uri: "/api/v1/sites/sirene-90000003000012", method: .put, headers: auth,
                body: ByteBuffer(string: #"{"status":"retained","note":"propriétaire d'accord"}"#))
            #expect(annotate.status == .ok)
            let cafe = try Self.decoder().decode(SiteSummary.self, from: Data(buffer: annotate.body))
            #expect(cafe.status == .retained && cafe.note == "propriétaire d'accord" && cafe.label == "CAFE DES BRUMES")
            let unknown = try await client.execute(
                uri: "/api/v1/sites/sirene-1", method: .put, headers: auth, body: ByteBuffer(string: #"{"note":"x"}"#))
            #expect(unknown.status == .notFound)
            let nonsense = try await client.execute(
                uri: "/api/v1/sites/nothing", method: .put, headers: auth, body: ByteBuffer(string: #"{"note":"x"}"#))
            #expect(nonsense.status == .notFound)
            let unauthorised = try await client.execute(
                uri: "/api/v1/sites/sirene-90000003000012", method: .put, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"note":"x"}"#))
            #expect(unauthorised.status == .unauthorized)
        }
    }

    /// The shared Sirene and Overpass fixtures, in the real COG 2026 with the real centroids.
    @Test func sharedFixturesGiveAddressesDatesAndTheLastCafe() async throws {
        let ds = try TestSupport.datasets()
        let formats = try TestSupport.formats()
        let dir = try TestSupport.temporaryDirectory()
        let config = try TestSupport.config(
            in: dir,
            sources: TestSupport.geographySources(ds)
                + TestSupport.source(
                    "centroids", "centroids", "file://\(ds)/communes_centroides_2024.csv.gz", vintage: 2024)
                + TestSupport.source(
                    "sirene", "sirene", "file://\(formats)/StockEtablissement_utf8_sample.zip", vintage: 2026)
                + TestSupport.source(
                    "osm", "osm", "file://\(formats)/overpass_out_center_tags_sample.json", vintage: 2026)
                // Two BPE editions listing the same facilities: the sites are the latest one's.
                + TestSupport.source("bpe21", "bpe", "file://\(formats)/bpe21_ensemble_xy_sample.csv", vintage: 2021)
                + TestSupport.source("bpe24", "bpe", "file://\(formats)/bpe24_BPE24_sample.zip", vintage: 2024))
        let store = try Store(path: config.storePath)
        let reports = try await TestSupport.ingest(config, store: store)
        #expect(reports.count == 7 && reports.values.allSatisfy { $0.outcome == .loaded }, "\(reports)")

        // Ajain: its café-épicerie closed on 2023-10-01 (a lieu-dit, no number); the grocery
        // opened in 2024 has no enseigne and is named by its usual name.
        let ajain = try await store.premises(commune: CommuneCode("23002"))
        let closed = try #require(ajain.first { $0.sourceID == "50011122400019" })
        #expect(closed.label == "CAFE-EPICERIE DU BOURG, CHEZ ODETTE")
        #expect(closed.address == "LIEU-DIT LE BOURG, 23380 AJAIN")
        #expect(closed.closed == "2023-10-01" && closed.opened == "2010-02-01" && closed.lastMeetingPlace)
        let grocery = try #require(ajain.first { $0.sourceID == "50011122400027" })
        #expect(grocery.label == "ÉPICERIE MULTISERVICE" && grocery.category == .grocery && grocery.open == true)
        #expect(grocery.address == "1 PLACE DE LA MAIRIE, 23380 AJAIN")
        // Its BPE 2024 row (B202, SIRET 82345678500018), once although BPE 2021 lists it too, and
        // labelled by its activity: a BPE name (NOMRS) may be a person's.
        let bpe = ajain.filter { $0.source.hasPrefix("bpe") }
        #expect(bpe.map(\.id) == [.source(.bpe, "82345678500018.B202")], "\(bpe)")
        #expect(bpe.first?.label == "Épicerie" && bpe.first?.address == "LE BOURG, 23380 Ajain")

        // Ahun: Le Relais is open, so the closed Café du Marché is not the last café.
        let ahun = try await store.premises(commune: CommuneCode("23001"))
        #expect(ahun.first { $0.sourceID == "41234567000027" }?.closed == "2015-06-01")
        #expect(!ahun.contains { $0.lastMeetingPlace })

        // Auge: a closed bar without position is placed at the commune's centroid, approximate; an
        // unnamed café of OpenStreetMap (node 1234567809, nearest to Auge's centroid) is open, so
        // the bar is not the last café.
        let auge = try await store.premises(commune: CommuneCode("23009"))
        let bar = try #require(auge.first { $0.sourceID == "52211133500025" })
        #expect(bar.label == "BAR DE LA PLACE" && bar.closed == "2019-01-01" && !bar.lastMeetingPlace)
        #expect(bar.approximate && bar.lat != nil)
        #expect(auge.first { $0.sourceID == "node/1234567809" }?.open == true)

        // Anzême: non-diffusible in Sirene and in BPE 2024 (B201, geolocated at 46.2595, 1.8521):
        // neither label nor address, and placed at the commune's centroid, not at its own point.
        let centroid = try #require(
            try TestSupport.gunzipLines(ds + "/communes_centroides_2024.csv.gz").first { $0.hasPrefix("23004,") }
        ).split(separator: ",")
        let anzeme = try await store.premises(commune: CommuneCode("23004"))
        let hidden = anzeme.filter { $0.sourceID?.hasPrefix("90123456700013") == true }
        #expect(Set(hidden.map(\.source)) == ["sirene", "bpe24"])
        for site in hidden {
            #expect(site.label == nil && site.address == nil && site.approximate)
            #expect(site.lat == Double(centroid[5]) && site.lon == Double(centroid[6]), "\(site)")
        }

        // OpenStreetMap: `disused=yes` beside `amenity=bar` is a former bar; a café is open.
        let disused = try #require(try await store.premises(id: .source(.osm, "node/1234567802")))
        #expect(disused.open == false && disused.closed == nil && disused.label == "Café-épicerie du Bourg")
        let relais = try #require(try await store.premises(id: .source(.osm, "node/1234567801")))
        #expect(relais.open == true && relais.label == "Le Relais")
    }

    /// A field note finds a facility whatever the batch of its load that wrote it: the sites'
    /// identities are indexed after their batch (SiteKey), and a lookup asks every batch.
    @Test func aNoteFindsAFacilityInEveryBatchOfItsLoad() async throws {
        let dir = try TestSupport.temporaryDirectory()
        // 25,000 restaurants (A504, a premises category), five in each of the first 5,000
        // communes of the real COG 2026, each with a SIRET of its own: three batches of sites.
        let lines = try TestSupport.gunzipLines(try TestSupport.datasets() + "/cog2026_communes.csv.gz").dropFirst()
        var communes: [String] = []
        for line in lines where communes.count < 5_000 {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if fields[0] == "COM" { communes.append(String(fields[1])) }
        }
        try #require(communes.count == 5_000)
        let siret = { (i: Int) in String(31_000_000_000_000 + i) }
        var file = "DEPCOM;TYPEQU;SIRET;LONGITUDE;LATITUDE\n"
        for i in 0..<25_000 { file += "\(communes[i / 5]);A504;\(siret(i));;\n" }
        let (config, store) = try TestSupport.bpeStore(file: file, in: dir)
        #expect(try await TestSupport.ingest(config, store: store)["bpe"]?.outcome == .loaded)
        let batches = try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(DISTINCT batch) FROM site") }
        #expect(batches == 3)
        for i in [0, 9_999, 10_000, 19_999, 20_000, 24_999] {
            let found = try await store.updatePremises(.source(.bpe, "\(siret(i)).A504"), SiteChange(note: "vu \(i)"))
            #expect(found.commune.rawValue == communes[i / 5])
            #expect(found.note == "vu \(i)")
        }
        await #expect(throws: PremisesError.self) {
            try await store.updatePremises(.source(.bpe, "\(siret(25_000)).A504"), SiteChange(note: "x"))
        }
    }

    /// A load's table of sites stores no source, vintage or run: they are the same for all its
    /// rows, columns generated from constants, which the view shows as stored ones. A source's
    /// name is a quoted literal there.
    @Test func aTableOfSitesStoresNoConstants() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let (config, store) = try TestSupport.bpeStore(
            file: "DEPCOM;TYPEQU;SIRET;LONGITUDE;LATITUDE\n23096;A504;31000000000001;1.87;46.17\n", in: dir)
        #expect(try await TestSupport.ingest(config, store: store)["bpe"]?.outcome == .loaded)
        let run = try await store.runs(source: "bpe", limit: 1)[0].id
        let (shown, generated) = try await store.read { db in
            (
                try Row.fetchAll(db, sql: "SELECT source, vintage, run_id, ext_id FROM site").map {
                    "\($0[0] as String) \($0[1] as Int) \($0[2] as Int64) \($0[3] as String)"
                },
                try String.fetchAll(
                    db, sql: "SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 2 ORDER BY cid",
                    arguments: ["site_g\(run)"])
            )
        }
        #expect(shown == ["bpe 2013 \(run) 31000000000001.A504"])
        #expect(generated == ["source", "vintage", "run_id"])
        let quoted = try await store.writer.write { db in
            try GenerationTable.site.create(run: 999_999, db, source: ("l'ancien café", 2021))
            try db.execute(
                sql: """
                    INSERT INTO site_g999999 (type, ext_id, usable, active, non_diffusible) VALUES ('A504', 'x', 1, 1, 0)
                    """)
            return try Row.fetchOne(db, sql: "SELECT source, vintage, run_id FROM site_g999999")
        }
        #expect(quoted?[0] == "l'ancien café" && quoted?[1] == 2021 && quoted?[2] == 999_999)
    }
}
