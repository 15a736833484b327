import Foundation
import GRDB
import Pipeline
import Store
import Testing

/// Malicious or broken files: each is refused, or its bad rows rejected, with a clear error, and
/// the data already stored stays intact.
@Suite(.serialized) struct HostileInputTests {
    /// A store holding a good 3,000-row COG extract under source `cog`, read from `dir/cog.csv`.
    private func setUp() async throws -> (dir: String, store: Store, config: Config, lines: [String]) {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let lines = try TestSupport.gunzipLines(ds + "/cog2026_communes.csv.gz").prefix(40_001).map(String.init)
        try (lines.prefix(3001).joined(separator: "\n") + "\n").write(
            toFile: dir + "/cog.csv", atomically: true, encoding: .utf8)
        let config = try TestSupport.config(
            in: dir, sources: TestSupport.source("cog", "cog-communes", "file://\(dir)/cog.csv", vintage: 2026))
        let store = try Store(path: config.storePath)
        #expect(try await TestSupport.ingest(config, store: store)["cog"]?.outcome == .loaded)
        return (dir, store, config, lines)
    }

    private func count(_ store: Store) async throws -> Int {
        try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM commune") ?? -1 }
    }

    private func ingest(
        _ bytes: Data, as name: String = "cog.csv", _ s: (dir: String, store: Store, config: Config, lines: [String])
    ) async throws -> SourceReport {
        try bytes.write(to: URL(fileURLWithPath: s.dir + "/" + name))
        return try #require(try await TestSupport.ingest(s.config, store: s.store)["cog"])
    }

    private func python(_ script: String) throws {
        guard try TestSupport.command(["python3", "-c", script]).status == 0 else {
            throw TestFailure("python helper failed")
        }
    }

    @Test func badRowsAreRejectedOneByOne() async throws {
        let s = try await setUp()
        var rows = Array(s.lines.prefix(3001))
        rows[10] = "COM,01010,84,01,,,,LONG," + String(repeating: "x", count: 10 << 20) + ",,,"
        rows[20] = "COM,01020,84,01,,,,NUL\u{0}BYTE,Nul,Nul,,"
        var data = Data((rows.joined(separator: "\n") + "\n").utf8)
        // An invalid UTF-8 sequence in the last line, well after the encoding sample.
        data.append(contentsOf: Array("COM,99999,84,01,,,,BAD,".utf8) + [0xC3, 0x28] + Array(",Bad,,\n".utf8))
        let report = try await ingest(data, s)
        #expect(report.outcome == .loaded)
        #expect(report.rowsRejected == 3)
        let rejects = try await s.store.rejectedRows(run: try await s.store.runs(source: "cog", limit: 1)[0].id)
        #expect(rejects.map(\.line) == [11, 21, 3002])
        #expect(rejects[0].reason.contains("longer than"))
        #expect(rejects[1].reason.contains("NUL"))
        #expect(rejects[2].reason.contains("UTF-8"))
        #expect(try await count(s.store) == 2998)
    }

    @Test func brokenFilesAreRefusedAndKeepPreviousData() async throws {
        let s = try await setUp()
        let header = s.lines[0]
        let cases: [(String, Data, String)] = [
            ("header only", Data((header + "\n").utf8), "no usable data"),
            (
                "duplicate header names", Data(("TYPECOM,COM,COM,DEP,LIBELLE\nCOM,01001,01002,01,X\n").utf8),
                "duplicate column"
            ),
            (
                "enormous number of columns",
                Data(
                    (Array(repeating: "C", count: 100_000).enumerated().map { "C\($0.offset)" }.joined(separator: ",")
                        + "\n").utf8), "columns"
            ),
            ("empty file", Data(), "empty"),
        ]
        for (name, bytes, message) in cases {
            let report = try await ingest(bytes, s)
            #expect(report.outcome == .failed, "\(name)")
            #expect(report.error?.contains(message) == true, "\(name): \(report.error ?? "")")
            #expect(try await count(s.store) == 3000, "\(name)")
        }
    }

    @Test func hostileZipsAreHarmless() async throws {
        let s = try await setUp()
        let csv = s.lines.prefix(1001).joined(separator: "\n") + "\n"
        try csv.write(toFile: s.dir + "/payload.csv", atomically: true, encoding: .utf8)
        // Entry names that would escape any extraction folder: read as a stream, never written by name.
        try python(
            """
            import zipfile
            with zipfile.ZipFile('\(s.dir)/traversal.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                z.write('\(s.dir)/payload.csv', '../../escaped.csv')
            with zipfile.ZipFile('\(s.dir)/notcsv.zip', 'w') as z:
                z.writestr('picture.png', b'\\x89PNG' + b'0' * 100)
            with zipfile.ZipFile('\(s.dir)/bomb.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                z.writestr('communes.csv', b'\\0' * (300 << 20))
            """)
        var config = s.config
        config.sources[0].url = "file://\(s.dir)/traversal.zip"
        let traversal = try await MainJob(config: config, store: s.store, logger: TestSupport.logger).ingest()[0]
        #expect(traversal.outcome == .loaded)
        #expect(traversal.rowsLoaded == 1000)
        #expect(!FileManager.default.fileExists(atPath: s.dir + "/../../escaped.csv"))
        #expect(!FileManager.default.fileExists(atPath: (s.dir as NSString).deletingLastPathComponent + "/escaped.csv"))
        for (file, message) in [("notcsv.zip", "cannot choose the data entry"), ("bomb.zip", "zip bomb")] {
            config.sources[0].url = "file://\(s.dir)/\(file)"
            let report = try await MainJob(config: config, store: s.store, logger: TestSupport.logger).ingest()[0]
            #expect(report.outcome == .failed, "\(file)")
            #expect(report.error?.contains(message) == true, "\(file): \(report.error ?? "")")
            #expect(try await count(s.store) == 1000)
        }
    }

    @Test func hostileGeoJSON() async throws {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let config = try TestSupport.config(
            in: dir,
            sources:
                TestSupport.source("cog2026", "cog-communes", "file://\(ds)/cog2026_communes.csv.gz", vintage: 2026)
                + TestSupport.source("contours", "contours", "file://\(dir)/contours.geojson", vintage: 2026))
        let store = try Store(path: config.storePath)
        let square = "[[[1.0,46.0],[1.1,46.0],[1.1,46.1],[1.0,46.1],[1.0,46.0]]]"
        func feature(_ code: String, _ geometry: String) -> String {
            "{\"type\":\"Feature\",\"properties\":{\"code\":\"\(code)\",\"nom\":\"x\"},\"geometry\":\(geometry)}"
        }
        let good = (1...20).map {
            feature(String(format: "230%02d", $0), "{\"type\":\"Polygon\",\"coordinates\":\(square)}")
        }
        let invalid = [
            feature("23021", "{\"type\":\"Polygon\",\"coordinates\":[[[1.0,46.0],[1.1]]]}"),
            feature("23022", "{\"type\":\"LineString\",\"coordinates\":[[1,46],[2,47]]}"),
            feature("23023", "{\"type\":\"Polygon\",\"coordinates\":[[[1.0,46.0],[200,46.0],[1.1,46.1],[1.0,46.0]]]}"),
        ]
        try ("{\"type\":\"FeatureCollection\",\"features\":[" + (good + invalid).joined(separator: ",") + "]}")
            .write(toFile: dir + "/contours.geojson", atomically: true, encoding: .utf8)
        let first = try await TestSupport.ingest(config, store: store)["contours"]
        #expect(first?.outcome == .loaded)
        #expect(first?.rowsLoaded == 20)
        #expect(first?.rowsRejected == 3)
        // A ring with more points than any commune has (600,000): refused as a whole, previous data intact.
        let ring = "[" + (0..<600_000).map { i in "[\(1 + Double(i) * 1e-7),46.0]" }.joined(separator: ",") + "]"
        try
            ("{\"type\":\"FeatureCollection\",\"features\":["
            + feature("23001", "{\"type\":\"Polygon\",\"coordinates\":[\(ring)]}") + "]}")
            .write(toFile: dir + "/contours.geojson", atomically: true, encoding: .utf8)
        let huge = try await TestSupport.ingest(config, store: store)["contours"]
        #expect(huge?.outcome == .failed)
        #expect(huge?.error?.contains("more than") == true, "\(huge?.error ?? "")")
        #expect(try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM contour") } == 20)
    }
}
