import Foundation
import GRDB
import Pipeline
import Store
import Testing

/// The reference sources ingested from the real files in ../shared/datasets.
@Suite(.serialized) struct ReferenceIngestTests {
    @Test func cogCommunesOfTwoVintages() async throws {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let config = try TestSupport.config(
            in: dir,
            sources:
                TestSupport.source("cog2026", "cog-communes", "file://\(ds)/cog2026_communes.csv.gz", vintage: 2026)
                + TestSupport.source("cog2023", "cog-communes", "file://\(ds)/cog2023_communes.csv.gz", vintage: 2023))
        let store = try Store(path: config.storePath)
        let reports = try await TestSupport.ingest(config, store: store)
        #expect(reports["cog2026"]?.outcome == .loaded)
        let counts = try await store.communeCounts(vintage: 2026)
        // Figures from the dataset's README (INSEE COG 2026).
        #expect(counts == [.commune: 34_875, .delegated: 2_105, .associated: 471, .arrondissement: 45])
        #expect(try await store.communeCounts(vintage: 2023)[.commune] == 34_945)
        let creuse = try await store.read {
            try Int.fetchOne(
                $0, sql: "SELECT COUNT(*) FROM commune WHERE vintage = 2026 AND type = 'COM' AND dep = '23'")
        }
        #expect(creuse == 255)
        // A commune déléguée keeps its parent.
        let parent = try await store.read {
            try String.fetchOne(
                $0, sql: "SELECT parent FROM commune WHERE vintage = 2026 AND type = 'COMD' AND code = '01015'")
        }
        #expect(parent != nil)
    }

    @Test func populationsCentroidsAndContours() async throws {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let config = try TestSupport.config(
            in: dir,
            sources:
                TestSupport.geographySources(ds)
                + TestSupport.source(
                    "pop2023", "population", "file://\(ds)/pop_legales_2023_communes.csv.gz", vintage: 2023,
                    more: "geography = 2025")
                + TestSupport.source(
                    "centroids", "centroids", "file://\(ds)/communes_centroides_2024.csv.gz", vintage: 2024)
                + TestSupport.source(
                    "creuse", "contours", "file://\(ds)/contours_communes_23-creuse.geojson.gz", vintage: 2018))
        let store = try Store(path: config.storePath)
        let reports = try await TestSupport.ingest(config, store: store)
        #expect(reports.count == 5)
        #expect(
            reports.values.allSatisfy { $0.outcome == .loaded },
            "\(reports.values.map { "\($0.name): \($0.error ?? "")" })")

        let rows = try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM population") }
        let sum = try await store.read { try Int.fetchOne($0, sql: "SELECT SUM(pmun) FROM population") }
        #expect(rows == 34_900)
        #expect(sum == 68_094_280)

        let centroids = try #require(reports["centroids"])
        #expect(centroids.rowsRead == 34_976)
        #expect(centroids.rowsRejected == 3)
        let runs = try await store.runs(source: "centroids", limit: 1)
        let rejects = try await store.rejectedRows(run: runs[0].id)
        // The three rows without coordinates are reported (with their line), never invented.
        #expect(Set(rejects.map { String($0.reason.suffix(5)) }) == ["60694", "85165", "85212"])
        #expect(rejects.count == 3 && rejects.allSatisfy { $0.line > 1 })

        #expect(reports["creuse"]?.rowsLoaded == 258)
        // Guéret (23096) in COG 2026 with its 2023 population and centroid.
        let gueret = try #require(try await store.commune("23096", targetVintage: 2026))
        #expect(gueret.name == "Guéret")
        #expect(gueret.populationYear == 2023)
        #expect((gueret.population ?? 0) > 10_000)
        #expect(abs((gueret.lat ?? 0) - 46.17) < 0.1)
    }

    @Test func parisPopulationIsTheSumOfItsArrondissements() async throws {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let config = try TestSupport.config(
            in: dir,
            sources:
                TestSupport.source("cog2026", "cog-communes", "file://\(ds)/cog2026_communes.csv.gz", vintage: 2026)
                + TestSupport.source(
                    "pop2023", "population", "file://\(ds)/pop_legales_2023_communes.csv.gz", vintage: 2023))
        let store = try Store(path: config.storePath)
        _ = try await TestSupport.ingest(config, store: store)
        // Recount from the raw file: rows whose COM is 751xx.
        var expected = 0
        for line in try TestSupport.gunzipLines(ds + "/pop_legales_2023_communes.csv.gz").dropFirst() {
            let f = line.split(separator: ";", omittingEmptySubsequences: false)
            if f[6].hasPrefix("751") { expected += Int(f[8])! }
        }
        #expect(expected > 2_000_000)
        #expect(try await store.commune("75056", targetVintage: 2026)?.population == expected)
    }
}
