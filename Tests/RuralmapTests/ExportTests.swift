import Formats
import Foundation
import Pipeline
import Store
import Testing

@testable import Export

/// CSV and GeoJSON exports: content, safety, validity for GDAL, atomic replacement.
@Suite(.serialized) struct ExportTests {
    private func ogrinfo(_ path: String) throws -> String {
        let (status, text) = try TestSupport.command(["ogrinfo", "-ro", "-so", "-al", path])
        guard status == 0 else { throw TestFailure("ogrinfo failed: \(text)") }
        return text
    }

    private func featureCount(_ ogr: String) -> Int? {
        ogr.split(separator: "\n").first { $0.hasPrefix("Feature Count:") }.flatMap {
            Int($0.split(separator: " ").last!)
        }
    }

    private func rows(_ path: String) throws -> [[String: String]] {
        let csv = try CSVReader(source: FileByteSource(path: path))
        var out: [[String: String]] = []
        while try csv.next() {
            var row: [String: String] = [:]
            for (i, name) in csv.header.names.enumerated() { row[name] = csv.string(i) }
            out.append(row)
        }
        return out
    }

    @Test func csvRoundTripAndFormulaSafety() async throws {
        let (config, store) = try await AnalysisTests.demo.value
        try await store.annotate(commune: "99002", status: .feasibility, note: "=HYPERLINK(\"http://x\"); à voir")
        try await store.annotate(commune: "99004", status: nil, note: "-20 % de loyer; \"bail\" signé")
        let dir = try TestSupport.temporaryDirectory()
        let exporter = Exporter(store: store, targetVintage: config.targetVintage)
        try await exporter.write(
            ExportSettings(format: .csv, what: .communes, departements: ["99"], output: dir + "/c.csv"))
        let text = try String(contentsOfFile: dir + "/c.csv", encoding: .utf8)
        #expect(!text.contains("\r\n"))
        let table = try rows(dir + "/c.csv")
        #expect(table.count == 8)
        let amand = try #require(table.first { $0["code"] == "99002" })
        // Values as the store holds them.
        let info = try #require(try await store.commune("99002", targetVintage: 2026))
        #expect(amand["name"] == info.name)
        #expect(amand["population"] == info.population.map(String.init))
        #expect(amand["flag_post"] == "downgraded")
        #expect(amand["lost_meeting_place"] == "true")
        let candidate = try #require(try await store.candidate(commune: "99002"))
        #expect(Double(amand["score"] ?? "") == candidate.score)
        #expect(amand["rank"] == candidate.rank.map(String.init))
        #expect(amand["status"] == "feasibility")
        // Formula neutralised with a leading quote, content otherwise intact.
        #expect(amand["note"] == "'=HYPERLINK(\"http://x\"); à voir")
        #expect(table.first { $0["code"] == "99004" }?["note"] == "'-20 % de loyer; \"bail\" signé")
        let breakdown =
            try JSONSerialization.jsonObject(with: Data((amand["breakdown"] ?? "").utf8)) as? [String: Double]
        #expect(abs((breakdown?.values.reduce(0, +) ?? 0) - candidate.score) < 0.011)
        // Communes that are not candidates have empty candidate fields.
        #expect(table.first { $0["code"] == "99001" }?["score"] == "")
    }

    @Test func excelFlavour() async throws {
        let (config, store) = try await AnalysisTests.demo.value
        let dir = try TestSupport.temporaryDirectory()
        try await Exporter(store: store, targetVintage: config.targetVintage)
            .write(ExportSettings(format: .csv, what: .communes, departements: [], output: dir + "/x.csv", excel: true))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/x.csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        let header = text.split(separator: "\n")[0]
        #expect(header.hasPrefix("code;name;dep;reg;population;population_year;lat;lon;"))
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("99002;") })
        #expect(line.contains(";46,06;2,08;"))  // decimal commas in numbers
    }

    @Test func jsonStringsParseBack() throws {
        for text in [
            "plain", "quote \" and backslash \\", "line\nbreak\r\ttab", "\u{1}\u{1F} controls", "é, 🇫🇷, </script>", "",
        ] {
            let parsed =
                try JSONSerialization.jsonObject(with: Data("[\(JSONObjectText.string(text))]".utf8)) as? [String]
            #expect(parsed == [text])
        }
        #expect(JSONObjectText.string("a/b") == "\"a/b\"")
    }

    /// An object written field by field parses back to its fields, whatever their names and values.
    @Test func jsonObjectsParseBack() throws {
        var object = JSONObjectText(capacity: 4)
        let ints = [0, 7, -5, 1_234_567, Int.max, Int.min]
        for (i, n) in ints.enumerated() { object.add("int \(i)", n) }
        object.add("missing", nil as Int?)
        object.add("quote \" é\n", "value \\ 🇫🇷")
        object.add("half", 0.5)
        object.add("yes", true)
        object.add("codes", strings: ["A504", "B201"])
        let first = object.closed
        object.add("after", "closing")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(object.closed.utf8)) as? [String: Any])
        for (i, n) in ints.enumerated() { #expect((parsed["int \(i)"] as? NSNumber)?.int64Value == Int64(n)) }
        #expect(parsed["missing"] is NSNull)
        #expect(parsed["quote \" é\n"] as? String == "value \\ 🇫🇷")
        #expect(parsed["half"] as? Double == 0.5)
        #expect(parsed["yes"] as? Bool == true)
        #expect(parsed["codes"] as? [String] == ["A504", "B201"])
        #expect(parsed["after"] as? String == "closing")
        #expect(parsed.count == ints.count + 6)
        #expect(first.hasSuffix("[\"A504\",\"B201\"]}"))
        #expect(JSONObjectText().closed == "{}")
    }

    @Test func geojsonIsValidForGDAL() async throws {
        let (config, store) = try await AnalysisTests.demo.value
        let dir = try TestSupport.temporaryDirectory()
        let exporter = Exporter(store: store, targetVintage: config.targetVintage)
        try await exporter.write(
            ExportSettings(format: .geojson, what: .communes, departements: [], output: dir + "/c.geojson"))
        let ogr = try ogrinfo(dir + "/c.geojson")
        #expect(featureCount(ogr) == 8)
        #expect(ogr.contains("Geometry: Polygon"))
        for field in ["code:", "flag_cafe_bar:", "nearest_km_bakery:", "lost_meeting_place:", "score:", "note:"] {
            #expect(ogr.contains(field), "missing field \(field)")
        }
        let doc =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/c.geojson")))
            as! [String: Any]
        #expect(doc["crs"] == nil)
        let features = doc["features"] as! [[String: Any]]
        let amand = try #require(features.first { ($0["id"] as? String) == "99002" })
        let ring = ((amand["geometry"] as! [String: Any])["coordinates"] as! [[[Double]]])[0]
        // Longitude first; exterior ring counter-clockwise (right-hand rule).
        #expect(abs(ring[0][0] - 2.05) < 0.001 && abs(ring[0][1] - 46.03) < 0.001)
        let area = zip(ring, ring.dropFirst()).map { $0[0] * $1[1] - $1[0] * $0[1] }.reduce(0, +)
        #expect(area > 0)
        #expect(((amand["properties"] as! [String: Any])["breakdown"] as? [String: Double]) != nil)
        // Empty selection: a valid, empty FeatureCollection; unknown département: an error.
        try await store.annotate(commune: "99001", status: .rejected, note: nil)
        try await exporter.write(
            ExportSettings(format: .geojson, what: .candidates, departements: ["99"], output: dir + "/all.geojson"))
        #expect(featureCount(try ogrinfo(dir + "/all.geojson")) == 5)
        await #expect(throws: ExportError.self) {
            try await exporter.write(
                ExportSettings(format: .csv, what: .candidates, departements: ["98"], output: dir + "/none.csv"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/none.csv"))
    }

    @Test func emptySelectionWritesValidEmptyFiles() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let config = try TestSupport.config(
            in: dir,
            sources: TestSupport.source(
                "cog", "cog-communes", TestSupport.packageRoot + "/data/demo/v_commune_2026.csv", vintage: 2026))
        let store = try Store(path: config.storePath)
        _ = try await TestSupport.ingest(config, store: store)
        let exporter = Exporter(store: store, targetVintage: 2026)
        try await exporter.write(
            ExportSettings(format: .geojson, what: .candidates, departements: ["99"], output: dir + "/e.geojson"))
        #expect(featureCount(try ogrinfo(dir + "/e.geojson")) == 0)
        try await exporter.write(
            ExportSettings(format: .csv, what: .candidates, departements: [], output: dir + "/e.csv"))
        let text = try String(contentsOfFile: dir + "/e.csv", encoding: .utf8)
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.hasPrefix("code,name,"))
    }

    @Test func readersNeverSeeAHalfWrittenFile() async throws {
        let (config, store) = try await AnalysisTests.demo.value
        let dir = try TestSupport.temporaryDirectory()
        let path = dir + "/live.geojson"
        let exporter = Exporter(store: store, targetVintage: config.targetVintage)
        let settings = ExportSettings(format: .geojson, what: .communes, departements: [], output: path)
        try await exporter.write(settings)
        let reader = Task.detached { () -> (Int, Int) in
            var reads = 0
            var broken = 0
            let deadline = Date().addingTimeInterval(2)
            while Date() < deadline {
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                reads += 1
                if (try? JSONSerialization.jsonObject(with: data)) == nil { broken += 1 }
            }
            return (reads, broken)
        }
        for _ in 0..<20 { try await exporter.write(settings) }
        let (reads, broken) = await reader.value
        #expect(reads > 10)
        #expect(broken == 0)
    }

    @Test func realCreuseWithContoursAndFranceWithPoints() async throws {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let config = try TestSupport.config(
            in: dir,
            sources:
                TestSupport.geographySources(ds)
                + TestSupport.source(
                    "centroids", "centroids", "file://\(ds)/communes_centroides_2024.csv.gz", vintage: 2024)
                + TestSupport.source(
                    "creuse", "contours", "file://\(ds)/contours_communes_23-creuse.geojson.gz", vintage: 2018,
                    more: "geography = 2018"))
        let store = try Store(path: config.storePath)
        _ = try await TestSupport.ingest(config, store: store)
        let exporter = Exporter(store: store, targetVintage: 2026)
        try await exporter.write(
            ExportSettings(format: .geojson, what: .communes, departements: ["23"], output: dir + "/creuse.geojson"))
        let creuse = try ogrinfo(dir + "/creuse.geojson")
        #expect(featureCount(creuse) == 255)  // COG 2026: 255 communes in Creuse
        let doc =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/creuse.geojson")))
            as! [String: Any]
        let types = (doc["features"] as! [[String: Any]]).map { ($0["geometry"] as! [String: Any])["type"] as! String }
        // Every Creuse commune has its contour (communes nouvelles as MultiPolygons of their former communes).
        #expect(!types.isEmpty && types.allSatisfy { $0 == "Polygon" || $0 == "MultiPolygon" })
        #expect(types.contains("MultiPolygon"))
        try await exporter.write(
            ExportSettings(format: .geojson, what: .communes, departements: [], output: dir + "/france.geojson"))
        let france = try ogrinfo(dir + "/france.geojson")
        #expect(featureCount(france) == 34_875)
    }
}
