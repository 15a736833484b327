import Cartography
import Foundation
import Geo
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The maps: the SVG from `ruralmapd map` (demo and real Creuse contours), and the daemon's page
/// driven in headless Chromium. Expected values come from the data files and the demo's story.
@Suite(.serialized) struct MapTests {
    /// One drawn commune of an SVG map.
    struct Shape: Equatable {
        let tag: String
        let code: String
        let status: String
        let rank: Int?
        let label: String
    }

    /// The commune elements of an SVG map, after checking the document is well-formed XML.
    static func shapes(_ svg: String) throws -> [Shape] {
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "SVG is not well-formed XML: \(String(describing: parser.parserError))")
        let pattern = try NSRegularExpression(
            pattern:
                #"<(path|circle) data-code="(\w+)" data-status="(\w+)"(?: data-rank="(\d+)")?[^>]*aria-label="([^"]*)""#
        )
        return pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { m in
            func group(_ i: Int) -> String? { Range(m.range(at: i), in: svg).map { String(svg[$0]) } }
            return Shape(
                tag: group(1)!, code: group(2)!, status: group(3)!, rank: group(4).flatMap { Int($0) }, label: group(5)!
            )
        }
    }

    /// COM rows of a COG communes file: code → name, optionally in one département.
    static func cogCommunes(_ lines: [Substring], dep: String? = nil) -> [String: String] {
        var out: [String: String] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count > 9, f[0] == "COM", dep == nil || f[3] == dep! else { continue }
            out[String(f[1])] = String(f[9])
        }
        return out
    }

    /// PMUN by commune code from a populations légales file (`;`).
    static func populations(_ lines: [Substring]) -> [String: Int] {
        var out: [String: Int] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: ";", omittingEmptySubsequences: false)
            if f.count > 8, let p = Int(f[8].trimmingCharacters(in: .whitespacesAndNewlines)) { out[String(f[6])] = p }
        }
        return out
    }

    // MARK: - Pieces

    @Test func numbersAreWrittenTheFrenchWay() {
        let fr = Vocabulary(.fr)
        let en = Vocabulary(.en)
        // « 1 234,5 »: narrow no-break space between thousands, decimal comma.
        #expect(fr.number(1234.5, decimals: 1) == "1\u{202F}234,5")
        #expect(fr.number(1_234_567) == "1\u{202F}234\u{202F}567")
        #expect(fr.number(999) == "999")
        #expect(fr.number(-2100.25, decimals: 2) == "-2\u{202F}100,25")
        #expect(en.number(1234.5, decimals: 1) == "1,234.5")
        // Category names come from the one table, French first.
        #expect(fr["category.post"] == "La Poste")
        #expect(fr["status.lost_meeting"] == "café ou restaurant perdu")  // a meeting place: café, bar or restaurant
        #expect(en["category.post"] == "post office")
        // A category added to categories.csv without a translation shows under its code.
        #expect(fr["category.laundrette"] == "laundrette")
        let table = Vocabulary.json
        #expect(Set(table["fr"]!.keys) == Set(table["en"]!.keys))
    }

    @Test func contourGeometryReadsBackWhatWasWritten() throws {
        let square = [
            Coordinate(lat: 46.1, lon: 1.8), Coordinate(lat: 46.1, lon: 1.9), Coordinate(lat: 46.2, lon: 1.9),
            Coordinate(lat: 46.2, lon: 1.8), Coordinate(lat: 46.1, lon: 1.8),
        ]
        let hole = [
            Coordinate(lat: 46.12, lon: 1.82), Coordinate(lat: 46.18, lon: 1.82), Coordinate(lat: 46.18, lon: 1.88),
            Coordinate(lat: 46.12, lon: 1.82),
        ]
        let islands = MultiPolygon(polygons: [
            [square, hole], [square.map { Coordinate(lat: $0.lat + 1, lon: $0.lon) }],
        ])
        let decoded = try #require(GeoJSONGeometry.decode(GeoJSONGeometry.encode(islands)))
        #expect(decoded == islands.rightHanded())
        let polygon = try #require(
            GeoJSONGeometry.decode(
                #"{ "type": "Polygon", "coordinates": [[[1.5, 46], [1.6, 46], [1.6, 46.1], [1.5, 46]]] }"#))
        #expect(polygon.polygons.count == 1 && polygon.pointCount == 4)
        #expect(GeoJSONGeometry.decode(#"{"type":"Point","coordinates":[1,2]}"#) == nil)
        #expect(GeoJSONGeometry.decode(#"{"type":"Polygon","coordinates":[[[1,2],[3]]]}"#) == nil)
        #expect(GeoJSONGeometry.decode(#"{"type":"Polygon","coordinates":[[[1,2],[3,4"#) == nil)
    }

    // MARK: - ruralmapd map

    @Test func demoMapsFromTheCommandLine() throws {
        let config = try CLITests.demoConfig()
        let dir = (config as NSString).deletingLastPathComponent
        #expect(try CLITests.ruralmapd(["run", "--config", config]).status == 0)
        let demo = TestSupport.packageRoot + "/data/demo"
        let communes = Self.cogCommunes(
            try String(contentsOfFile: demo + "/v_commune_2026.csv", encoding: .utf8).split(whereSeparator: \.isNewline)
        )
        let population = Self.populations(
            try String(contentsOfFile: demo + "/donnees_communes_2023.csv", encoding: .utf8).split(
                whereSeparator: \.isNewline))

        let map = try CLITests.ruralmapd(["map", "--config", config, "--dep", "99", "--output", dir + "/map.svg"])
        #expect(map.status == 0, "\(map.stderr)")
        let svg = try String(contentsOfFile: dir + "/map.svg", encoding: .utf8)
        let shapes = try Self.shapes(svg)
        // One shape per commune of the selection (the two communes déléguées are not communes).
        #expect(shapes.map(\.code).sorted() == communes.keys.sorted())
        #expect(shapes.allSatisfy { $0.tag == "path" })  // every demo commune has a contour
        #expect(svg.contains("data-role=\"legend\"") && svg.contains("data-role=\"scale-bar\""))
        #expect(svg.contains(">Légende<"))
        // Hover text: name and population, French number format.
        let vauclerc = try #require(shapes.first { $0.code == "99001" })
        #expect(vauclerc.label == "\(communes["99001"]!), \(Self.frenchThousands(population["99001"]!)) habitants")
        // Candidates are drawn as such, with their ranks.
        let listed = try CLITests.ruralmapd(["candidates", "--json", "--config", config])
        let candidates = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as! [[String: Any]]
        #expect(!candidates.isEmpty)
        #expect(
            Set(shapes.filter { $0.status == "candidate" }.map(\.code)) == Set(candidates.map { $0["code"] as! String })
        )
        for c in candidates { #expect(shapes.first { $0.code == c["code"] as? String }?.rank == c["rank"] as? Int) }

        // The losses map tells the demo's story (data/demo/README.md).
        #expect(
            try CLITests.ruralmapd([
                "map", "--config", config, "--what", "losses", "--lang", "en", "--output", dir + "/losses.svg",
            ]).status == 0)
        let losses = try String(contentsOfFile: dir + "/losses.svg", encoding: .utf8)
        let status = Dictionary(uniqueKeysWithValues: try Self.shapes(losses).map { ($0.code, $0.status) })
        #expect(status["99002"] == "lost_meeting")  // Saint-Amand lost its café and restaurant
        #expect(status["99005"] == "lost_services")  // Rochebrune gained a café, lost bakery and school
        #expect(status["99008"] == "lost_services")  // Val-d'Orvin lost Saint-Just's post office
        #expect(status["99007"] == "no_loss")  // Bellefond: unknown, never "lost"
        #expect(!status.values.contains("candidate"))
        #expect(losses.contains(">Legend<") && losses.contains("lang=\"en\""))

        // PNG through rsvg-convert, twice the SVG's size.
        let png = try CLITests.ruralmapd(["map", "--config", config, "--format", "png", "--output", dir + "/map.png"])
        #expect(png.status == 0, "\(png.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/map.png")))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let svgWidth = try #require(svg.firstMatch(of: /width="(\d+)"/).flatMap { Int($0.1) })
        #expect(width == 2 * svgWidth)
        // Without the converter: a clear error, nothing written.
        let noConverter = try CLITests.ruralmapd(
            ["map", "--config", config, "--format", "png", "--output", dir + "/none.png"],
            environment: ["PATH": "/nonexistent"])
        #expect(noConverter.status != 0)
        #expect(noConverter.stderr.contains("librsvg2-bin"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/none.png"))
        // A département that does not exist.
        let unknown = try CLITests.ruralmapd(["map", "--config", config, "--dep", "77", "--output", dir + "/77.svg"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown département 77"))
    }

    /// A store of real Creuse: COG 2026, populations 2023, centroids, contours, and the BPE 2013
    /// and 2018 rows of département 23 (cut from the national files by awk, not by our code).
    static func creuseConfig(_ dir: String) throws -> String {
        let ds = try TestSupport.datasets()
        for (file, filter, out) in [
            ("bpe2013_communes_typequ.csv.gz", "NR==1 || substr($1,1,2)==\"23\"", "bpe2013-23.csv"),
            ("bpe2018_ensemble_iris.csv.gz", "NR==1 || $2==\"23\"", "bpe2018-23.csv"),
        ] {
            let cut = try TestSupport.command([
                "sh", "-c", "gzip -dc '\(ds)/\(file)' | awk -F';' '\(filter)' > '\(dir)/\(out)'",
            ])
            #expect(cut.status == 0, "\(cut.output)")
        }
        let sources =
            TestSupport.geographySources(ds)
            + TestSupport.source(
                "pop2023", "population", "file://\(ds)/pop_legales_2023_communes.csv.gz", vintage: 2023,
                more: "geography = 2025")
            + TestSupport.source(
                "centroids", "centroids", "file://\(ds)/communes_centroides_2024.csv.gz", vintage: 2024)
            + TestSupport.source(
                "creuse", "contours", "file://\(ds)/contours_communes_23-creuse.geojson.gz", vintage: 2018,
                more: "geography = 2018")
            + TestSupport.source("bpe2013", "bpe", "file://\(dir)/bpe2013-23.csv", vintage: 2013)
            + TestSupport.source("bpe2018", "bpe", "file://\(dir)/bpe2018-23.csv", vintage: 2018)
        return try TestSupport.config(in: dir, sources: sources).path
    }

    @Test func creuseMapAndPageFromRealContours() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let ds = try TestSupport.datasets()
        let config = try Self.creuseConfig(dir)
        try (try String(contentsOfFile: config, encoding: .utf8) + "\n[api]\nlisten = \"127.0.0.1:0\"\n").write(
            toFile: config, atomically: true, encoding: .utf8)
        let run = try CLITests.ruralmapd(["run", "--config", config])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            try CLITests.ruralmapd(["map", "--config", config, "--dep", "23", "--output", dir + "/creuse.svg"]).status
                == 0)
        let svg = try String(contentsOfFile: dir + "/creuse.svg", encoding: .utf8)
        let shapes = try Self.shapes(svg)
        let lines = try TestSupport.gunzipLines(ds + "/cog2026_communes.csv.gz")
        let creuse = Self.cogCommunes(lines, dep: "23")
        #expect(creuse.count == 255)  // COG 2026: 255 communes in Creuse
        #expect(shapes.map(\.code).sorted() == creuse.keys.sorted())
        // Drawn from contours, communes nouvelles from their former communes.
        #expect(!shapes.isEmpty && shapes.allSatisfy { $0.tag == "path" })
        // Every point lies inside the drawing.
        let size = try #require(svg.firstMatch(of: /viewBox="0 0 (\d+(?:\.\d)?) (\d+(?:\.\d)?)"/))
        let width = Double(size.1)!
        let height = Double(size.2)!
        let coordinates = svg.matches(of: /[ML](-?\d+(?:\.\d)?) (-?\d+(?:\.\d)?)/).map {
            (Double($0.1)!, Double($0.2)!)
        }
        #expect(coordinates.count > 10_000)
        #expect(coordinates.allSatisfy { $0.0 >= 0 && $0.0 <= width && $0.1 >= 0 && $0.1 <= height })
        // A département without contours is drawn as dots at the centroids.
        let cantal = Self.cogCommunes(lines, dep: "15")
        #expect(
            try CLITests.ruralmapd(["map", "--config", config, "--dep", "15", "--output", dir + "/cantal.svg"]).status
                == 0)
        let cantalSVG = try String(contentsOfFile: dir + "/cantal.svg", encoding: .utf8)
        let dots = try Self.shapes(cantalSVG)
        #expect(!dots.isEmpty && dots.allSatisfy { $0.tag == "circle" && cantal[$0.code] != nil })
        // Communes without any centroid in the 2024 file cannot be placed: the map says how many.
        let centroidCodes = Set(
            try TestSupport.gunzipLines(ds + "/communes_centroides_2024.csv.gz").map { $0.prefix { $0 != "," } })
        let unplaced = cantal.keys.filter { !centroidCodes.contains(Substring($0)) }.count
        #expect(dots.count == cantal.count - unplaced)
        #expect(
            unplaced == 0
                || cantalSVG.contains(
                    "<desc>\(unplaced) communes sans contour ni centroïde ne sont pas dessinées.</desc>")
        )

        // The page, on the same store.
        let population = Self.populations(try TestSupport.gunzipLines(ds + "/pop_legales_2023_communes.csv.gz"))
        let daemon = try ServedDaemon(config: config, logPath: dir + "/serve.log")
        let (_, listed) = try await DaemonTests.request("GET", daemon.base + "/api/v1/candidates?dep=23&limit=1000")
        let ranked = (try JSONSerialization.jsonObject(with: Data(listed.utf8)) as! [[String: Any]]).map {
            $0["code"] as! String
        }
        #expect(ranked.count > 10)

        let seen = try Self.browse(daemon.base, deps: ["23"], click: "23096", name: "creuse")
        #expect(seen["ready"] as? String == "true", "page error: \(seen["message"] ?? "")")
        #expect(
            seen["picker_choices"] as? Int
                == Set(
                    lines.dropFirst().compactMap { l -> Substring? in
                        let f = l.split(separator: ",", omittingEmptySubsequences: false)
                        return f.count > 3 && f[0] == "COM" ? f[3] : nil
                    }
                ).count)  // every département of COG 2026 (101)
        #expect(seen["shapes"] as? Int == 255)
        #expect(seen["shape_codes"] as? [String] == creuse.keys.sorted())
        #expect(seen["shape_tags"] as? [String] == ["path"])
        #expect(seen["legend"] != nil)
        #expect(seen["card_title"] as? String == "\(creuse["23096"]!) (23096)")  // Guéret
        #expect(
            seen["tooltip"] as? String
                == "\(creuse["23096"]!) — \(Self.frenchThousands(population["23096"]!)) habitants")
        #expect(seen["table_default"] as? [String] == ranked)
        // No café source here: the page says the café status is unknown, never "no café".
        #expect(seen["table_cafe"] as? [String] == ["café : inconnu"])
        #expect((seen["card_text"] as? String)?.contains("Statut du café inconnu") == true)
        #expect((seen["legend"] as? String)?.contains("hachures : café inconnu") == true)
        #expect(seen["table_per_dep_1"] as? [String] == Array(ranked.prefix(1)))
        #expect(
            Self.sorted(try #require(seen["table_population_ascending"] as? [String]), by: population, ascending: true))
        #expect(
            Self.sorted(
                try #require(seen["table_population_descending"] as? [String]), by: population, ascending: false))
        #expect(seen["foreign_requests"] as? [String] == [])
        #expect(seen["console_errors"] as? [String] == [])
    }

    // MARK: - The page in a real browser

    /// Drives the page with Tests/RuralmapTests/Browser/map_page.py (selenium + headless Chromium)
    /// and returns what it observed. Screenshots go to `.build/test-output/`.
    static func browse(
        _ base: String, deps: [String], click: String, name: String, token: String? = nil, note: String? = nil,
        premises: String? = nil
    ) throws -> [String: Any] {
        let python =
            ProcessInfo.processInfo.environment["RURALMAP_TEST_PYTHON"]
            ?? NSHomeDirectory() + "/.cache/ruralmap-test/venv/bin/python"
        let check = try TestSupport.command([python, "-c", "import selenium"])
        guard check.status == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        else {
            throw TestFailure(
                "the browser tests need chromium, chromium-driver and selenium: run `make test` (it installs them), or set RURALMAP_TEST_PYTHON to a python with selenium"
            )
        }
        var arguments = [
            python, TestSupport.packageRoot + "/Tests/RuralmapTests/Browser/map_page.py", "--base", base, "--click",
            click,
            "--screenshots", screenshots, "--name", name,
        ]
        for dep in deps { arguments += ["--dep", dep] }
        if let token, let note { arguments += ["--token", token, "--note", note] }
        if let premises { arguments += ["--premises", premises] }
        let out = try TestSupport.command(arguments)
        guard out.status == 0,
            let start = out.output.lastIndex(of: "\n").map({ out.output.index(after: $0) }) ?? out.output.indices.first,
            let json = try? JSONSerialization.jsonObject(with: Data(out.output[start...].utf8)) as? [String: Any]
        else {
            throw TestFailure("the browser script failed (\(out.status)):\n\(out.output)")
        }
        return json
    }

    /// `12345` as « 12 345 » (narrow no-break space), written here independently of the page.
    static func frenchThousands(_ n: Int) -> String {
        var digits = String(n)
        var out = ""
        while digits.count > 3 {
            out = "\u{202F}" + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return digits + out
    }

    static let screenshots = TestSupport.packageRoot + "/.build/test-output"

    /// Population-sorted order check: the codes' populations never decrease (or never increase).
    static func sorted(_ codes: [String], by population: [String: Int], ascending: Bool) -> Bool {
        let values = codes.map { population[$0] ?? -1 }
        return zip(values, values.dropFirst()).allSatisfy { ascending ? $0 <= $1 : $0 >= $1 }
    }

    @Test func demoPageInChromium() async throws {
        let config = try CLITests.demoConfig()
        let dir = (config as NSString).deletingLastPathComponent
        let token = "t0ken-\(UUID().uuidString)"
        try token.write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        try
            (try String(contentsOfFile: config, encoding: .utf8)
            + "\n[api]\nlisten = \"127.0.0.1:0\"\ntoken_file = \"\(dir)/token\"\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try CLITests.ruralmapd(["run", "--config", config]).status == 0)
        let demo = TestSupport.packageRoot + "/data/demo"
        let communes = Self.cogCommunes(
            try String(contentsOfFile: demo + "/v_commune_2026.csv", encoding: .utf8).split(whereSeparator: \.isNewline)
        )
        let population = Self.populations(
            try String(contentsOfFile: demo + "/donnees_communes_2023.csv", encoding: .utf8).split(
                whereSeparator: \.isNewline))
        let daemon = try ServedDaemon(config: config, logPath: dir + "/serve.log")
        let (_, listed) = try await DaemonTests.request("GET", daemon.base + "/api/v1/candidates?dep=99&limit=1000")
        let ranked = (try JSONSerialization.jsonObject(with: Data(listed.utf8)) as! [[String: Any]]).map {
            $0["code"] as! String
        }
        // The API's list: the N best of each département, café status known or not.
        func codes(_ query: String) async throws -> [String]? {
            let (status, body) = try await DaemonTests.request("GET", daemon.base + "/api/v1/candidates?" + query)
            guard status == 200 else { return nil }
            return (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])?.compactMap {
                $0["code"] as? String
            }
        }
        #expect(try await codes("dep=99&per_dep=2") == Array(ranked.prefix(2)))
        #expect(try await codes("cafe_known=true") == ranked)  // the demo's Sirene and OSM cover every commune
        #expect(try await codes("cafe_known=false") == [])
        #expect(try await codes("cafe_known=maybe") == nil)
        #expect(try await codes("per_dep=0") == nil)

        // The page's own endpoints.
        let page = try await DaemonTests.request("GET", daemon.base + "/")
        #expect(page.0 == 200 && page.1.contains("/assets/map.js"))
        #expect(try await DaemonTests.request("GET", daemon.base + "/api/v1/map.svg?dep=77").0 == 400)
        #expect(try await DaemonTests.request("GET", daemon.base + "/api/v1/map.svg?dep=99&what=everything").0 == 400)
        #expect(try await DaemonTests.request("GET", daemon.base + "/api/v1/map.svg?dep=99&lang=de").0 == 400)
        let departements = try await DaemonTests.request("GET", daemon.base + "/api/v1/departements").1
        let list = try JSONSerialization.jsonObject(with: Data(departements.utf8)) as! [[String: Any]]
        #expect(list.count == 1 && list[0]["code"] as? String == "99" && list[0]["communes"] as? Int == communes.count)
        #expect(list[0]["candidates"] as? Int == ranked.count)

        // Every site of the demo's communes, as the API lists them: the page draws those with a position.
        var sites: [String: [[String: Any]]] = [:]
        for code in communes.keys {
            let (_, body) = try await DaemonTests.request("GET", daemon.base + "/api/v1/communes/\(code)/sites")
            sites[code] = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]]
        }
        let positioned = sites.values.joined().filter { $0["lat"] is Double }.compactMap { $0["id"] as? String }

        let seen = try Self.browse(
            daemon.base, deps: ["99"], click: "99002", name: "demo", token: token, note: "Rendez-vous en mairie le 3",
            premises: "Local de l’ancienne poste")
        #expect(seen["picker_choices"] as? Int == 1)  // one département in the demo
        #expect(seen["ready"] as? String == "true", "page error: \(seen["message"] ?? "")")
        #expect(seen["html_lang"] as? String == "fr")
        #expect(seen["shapes"] as? Int == communes.count)
        #expect(seen["shape_codes"] as? [String] == communes.keys.sorted())
        #expect(seen["focusable_shapes"] as? Int == communes.count)
        #expect((seen["legend"] as? String)?.contains("café ou restaurant perdu") == true)
        #expect(seen["scale_bar"] as? Bool == true)
        #expect(seen["tooltip"] as? String == "\(communes["99002"]!) — \(population["99002"]!) habitants")
        #expect(seen["card_title"] as? String == "\(communes["99002"]!) (99002)")
        // Services, flags and distances, score, field follow-up, places, the team's premises.
        #expect((seen["card_headings"] as? [String])?.count == 6)
        let cardText = try #require(seen["card_text"] as? String)
        #expect(cardText.contains("La Poste"))
        // The score's reasons in French, from the breakdown's facts (the story: café lost first).
        #expect(cardText.contains("perdus : café, bar ("))
        #expect(!cardText.contains("missing today"))
        #expect(seen["highlighted"] as? Int == 1)
        // The card lists the commune's places (its café, closed in 2019, is the last one); the map
        // marks every place with a position, open and closed in the legend.
        let clicked = (sites["99002"] ?? []).compactMap { $0["id"] as? String }
        #expect(clicked.contains("sirene-90000003000012"))
        #expect(seen["card_sites"] as? [String] == clicked)
        #expect((seen["card_sites_text"] as? String)?.contains("dernier café, fermé en 2019") == true)
        #expect(!positioned.isEmpty && seen["site_markers"] as? [String] == positioned.sorted())
        #expect(seen["site_legend"] as? [String] == ["closed", "open"])
        // Premises added from the card, with the token.
        let after = try #require(seen["card_sites_after"] as? [String])
        #expect(after.count == clicked.count + 1 && after.contains { $0.hasPrefix("team-") })
        #expect((seen["card_sites_text_after"] as? String)?.contains("Local de l’ancienne poste") == true)
        #expect(seen["table_default"] as? [String] == ranked)
        // The demo's Sirene and OSM files cover it: the café status is known.
        #expect(seen["table_cafe"] as? [String] == ["aucun café ouvert"])
        #expect(!cardText.contains("Statut du café inconnu"))
        #expect(seen["table_per_dep_1"] as? [String] == Array(ranked.prefix(1)))
        let ascending = try #require(seen["table_population_ascending"] as? [String])
        let descending = try #require(seen["table_population_descending"] as? [String])
        #expect(Set(ascending) == Set(ranked))
        #expect(Self.sorted(ascending, by: population, ascending: true))
        #expect(Self.sorted(descending, by: population, ascending: false))
        #expect(ascending != descending)
        #expect(seen["aria_sort"] as? String == "ascending")
        // Keyboard: Enter on the last row opened that commune's card.
        let edited = try #require(seen["edited_code"] as? String)
        #expect(seen["keyboard_card"] as? String == "\(communes[edited]!) (\(edited))")
        #expect(seen["keyboard_row_selected"] as? String == "true")
        // The note typed in the page, with the token, is in the store.
        #expect(seen["save_result"] as? String == "Enregistré")
        let card = try CLITests.ruralmapd(["commune", edited, "--json", "--config", config])
        let candidate =
            (try JSONSerialization.jsonObject(with: Data(card.stdout.utf8)) as! [String: Any])["candidate"]
            as? [String: Any]
        #expect(candidate?["note"] as? String == "Rendez-vous en mairie le 3")
        #expect(candidate?["status"] as? String == "contacted")
        #expect((seen["download_links"] as? [String])?.count == 2)
        #expect(
            (seen["download_links"] as? [String])?.allSatisfy {
                $0.hasPrefix(daemon.base + "/api/v1/candidates?dep=99&format=")
            } == true)
        #expect((seen["legend_en"] as? String)?.contains("no loss") == true)
        // One analysis so far: the baseline, no alert yet; the feed of the selection is offered.
        #expect(seen["alerts"] as? [String] == ["Aucune alerte pour ces départements."])
        #expect(seen["alerts_feed"] as? String == daemon.base + "/api/v1/alerts.atom?dep=99")
        #expect(seen["alert_marks"] as? [String] == [])
        // Nothing left 127.0.0.1; nothing failed.
        #expect((seen["requests"] as? [String])?.isEmpty == false)
        #expect(seen["foreign_requests"] as? [String] == [])
        #expect(seen["console_errors"] as? [String] == [])
        for shot in ["picker", "map", "card", "english"] {
            #expect(FileManager.default.fileExists(atPath: "\(Self.screenshots)/demo-\(shot).png"))
        }
    }
}
