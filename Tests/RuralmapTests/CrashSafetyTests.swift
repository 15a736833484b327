import Foundation
import GRDB
import Store
import Testing

/// SIGKILL at random moments of `ruralmapd run` (download, parse, load, swap, analysis, export):
/// after each kill the store is sound, the source holds either its previous or its new complete
/// data, the field team's note is intact, and the next run completes.
@Suite(.serialized) struct CrashSafetyTests {
    struct Checksum: Equatable, CustomStringConvertible {
        let rows: Int, total: Int
        var description: String { "\(rows) rows / \(total) equipments" }
    }

    @Test func killedRunsNeverLoseData() async throws {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let lines = try TestSupport.gunzipLines(ds + "/bpe2013_communes_typequ.csv.gz")
        let header = String(lines[0])
        // Two different real extracts of BPE 2013, and their checksums counted here from the text.
        let parts = [Array(lines[1...200_000]), Array(lines[200_001...320_000])]
        var expected: [Checksum] = []
        for (i, part) in parts.enumerated() {
            try ([header] + part.map(String.init)).joined(separator: "\n").appending("\n").write(
                toFile: dir + "/bpe-\(i).csv", atomically: true, encoding: .utf8)
            expected.append(
                Checksum(rows: part.count, total: part.reduce(0) { $0 + Int($1.split(separator: ";")[3])! }))
        }
        // The real COG rows of Creuse: the target geography stays small, so each run is short and
        // the kills land in every phase (BPE rows elsewhere load untranslated, counted all the same).
        let cog = try TestSupport.gunzipLines(ds + "/cog2026_communes.csv.gz")
        try ([String(cog[0])] + cog.filter { $0.hasPrefix("COM,23") }.map(String.init)).joined(separator: "\n")
            .appending("\n")
            .write(toFile: dir + "/cog-creuse.csv", atomically: true, encoding: .utf8)
        func writeConfig(_ variant: Int) throws -> String {
            let config = try TestSupport.config(
                in: dir,
                sources:
                    TestSupport.source("cog2026", "cog-communes", "file://\(dir)/cog-creuse.csv", vintage: 2026)
                    + TestSupport.source("bpe", "bpe", "file://\(dir)/bpe-\(variant).csv", vintage: 2013),
                extra: "[[export]]\nformat = \"geojson\"\nwhat = \"communes\"\noutput = \"\(dir)/communes.geojson\"\n")
            return config.path
        }
        func run(_ config: String, killAfter: Double?) throws -> (status: Int32, killed: Bool) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: TestSupport.packageRoot + "/.build/debug/ruralmapd")
            p.arguments = ["run", "--config", config]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Foundation reaps the child itself: poll isRunning rather than waitpid.
            let start = Date()
            var killed = false
            while p.isRunning {
                if let killAfter, !killed, Date().timeIntervalSince(start) >= killAfter {
                    kill(p.processIdentifier, SIGKILL)
                    killed = true
                }
                usleep(5_000)
            }
            let status = p.terminationStatus
            return (status, killed)
        }
        func checksum(_ store: Store) async throws -> Checksum {
            let rows = try await store.read {
                try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM equipment WHERE source = 'bpe'") ?? -1
            }
            let total = try await store.read {
                try Int.fetchOne($0, sql: "SELECT COALESCE(SUM(count), 0) FROM equipment WHERE source = 'bpe'") ?? -1
            }
            return Checksum(rows: rows, total: total)
        }

        // A complete first run, timed, to spread the kills over a whole run.
        let config0 = try writeConfig(0)
        let started = Date()
        #expect(try run(config0, killAfter: nil).status == 0)
        let fullRun = Date().timeIntervalSince(started)
        let store = try Store(path: dir + "/store.sqlite")
        #expect(try await checksum(store) == expected[0])
        try await store.annotate(commune: "23096", status: .feasibility, note: "étude en cours; ne pas perdre")

        var generator = SeededGenerator(seed: 20_261_129)
        var outcomes: [String] = []
        var previous = 0
        for trial in 1...20 {
            let next = 1 - previous
            let config = try writeConfig(next)
            let delay = Double.random(in: 0.02...(fullRun * 1.1), using: &generator)
            let (_, killed) = try run(config, killAfter: delay)
            let after = try Store(path: store.path)
            let integrity = try after.integrityCheck()
            let sum = try await checksum(after)
            let holds = expected.firstIndex(of: sum)
            let note = try await after.candidate(commune: "23096")
            outcomes.append(
                String(
                    format: "trial %2d: %@ %.2f s → integrity %@, store holds %@, note %@", trial,
                    killed ? "SIGKILL after" : "run finished before the kill planned at", delay, integrity,
                    holds.map { $0 == next ? "the new data" : "the previous data" } ?? "NEITHER (\(sum))",
                    note?.note == "étude en cours; ne pas perdre" && note?.status == .feasibility ? "intact" : "LOST"))
            #expect(integrity == "ok")
            #expect(holds != nil, "trial \(trial): \(sum) is neither \(expected[0]) nor \(expected[1])")
            #expect(note?.note == "étude en cours; ne pas perdre")
            #expect(note?.status == .feasibility)
            previous = holds ?? previous
            // The next run (not killed) completes normally and loads the new file.
            if trial % 5 == 0 {
                #expect(try run(config, killAfter: nil).status == 0)
                #expect(try await checksum(after) == expected[next])
                previous = next
            }
        }
        print(outcomes.joined(separator: "\n"))
    }
}

/// A small deterministic generator (SplitMix64), so that a failing trial can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
