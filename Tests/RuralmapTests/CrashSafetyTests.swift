import Analysis
import Foundation
import GRDB
import Store
import Testing

/// SIGKILL at random moments of `ruralmapd run` (download, parse, load, swap, analysis, export),
/// and at each phase of a generation's load: after each kill the store is sound, the source holds
/// either its previous or its new complete data, the field team's note is intact, and the next run
/// completes and leaves no orphan rows.
@Suite(.serialized) struct CrashSafetyTests {
    struct Checksum: Equatable, CustomStringConvertible {
        let rows: Int, total: Int
        var description: String { "\(rows) rows / \(total) equipments" }
    }

    /// Two different real extracts of BPE 2013 over the real communes of Creuse, and the runs of
    /// the real binary that load them.
    struct Harness {
        let dir: String
        /// Each extract's checksum, counted here from the text.
        let expected: [Checksum]
        static let note = "étude en cours; ne pas perdre"

        init() throws {
            let ds = try TestSupport.datasets()
            dir = try TestSupport.temporaryDirectory()
            let lines = try TestSupport.gunzipLines(ds + "/bpe2013_communes_typequ.csv.gz")
            let header = String(lines[0])
            // Each over 10,000 communes (12,658 and 11,365), stored a row each: two batches or more.
            let parts = [Array(lines[1...200_000]), Array(lines[200_001...400_000])]
            var expected: [Checksum] = []
            for (i, part) in parts.enumerated() {
                try ([header] + part.map(String.init)).joined(separator: "\n").appending("\n").write(
                    toFile: dir + "/bpe-\(i).csv", atomically: true, encoding: .utf8)
                expected.append(
                    Checksum(rows: part.count, total: part.reduce(0) { $0 + Int($1.split(separator: ";")[3])! }))
            }
            self.expected = expected
            // The target geography stays small, so each run is short and the kills land in every
            // phase (BPE rows elsewhere load untranslated, counted all the same).
            let cog = try TestSupport.gunzipLines(ds + "/cog2026_communes.csv.gz")
            try ([String(cog[0])] + cog.filter { $0.hasPrefix("COM,23") }.map(String.init))
                .joined(separator: "\n").appending("\n")
                .write(toFile: dir + "/cog-creuse.csv", atomically: true, encoding: .utf8)
        }

        var storePath: String { dir + "/store.sqlite" }

        /// The config loading extract `variant`.
        func config(_ variant: Int) throws -> String {
            try TestSupport.config(
                in: dir,
                sources:
                    TestSupport.source("cog2026", "cog-communes", "file://\(dir)/cog-creuse.csv", vintage: 2026)
                    + TestSupport.source("bpe", "bpe", "file://\(dir)/bpe-\(variant).csv", vintage: 2013),
                extra: "[[export]]\nformat = \"geojson\"\nwhat = \"communes\"\noutput = \"\(dir)/communes.geojson\"\n"
            ).path
        }

        /// Runs `ruralmapd run`, killed with SIGKILL once `killWhen` says so (checked every 5 ms).
        func run(
            _ config: String, killWhen: () async throws -> Bool = { false }
        ) async throws -> (
            status: Int32, killed: Bool
        ) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: TestSupport.packageRoot + "/.build/debug/ruralmapd")
            p.arguments = ["run", "--config", config]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Foundation reaps the child itself: poll isRunning rather than waitpid.
            var killed = false
            while p.isRunning {
                if !killed, try await killWhen() {
                    kill(p.processIdentifier, SIGKILL)
                    killed = true
                }
                usleep(5_000)
            }
            return (p.terminationStatus, killed)
        }

        /// Which extract the store holds (nil: neither), after checking its integrity and the note.
        func holds(_ store: Store) async throws -> Int? {
            #expect(try store.integrityCheck() == "ok")
            let note = try await store.candidate(commune: "23096")
            #expect(note?.note == Self.note)
            #expect(note?.status == .feasibility)
            let sum = try await store.read {
                Checksum(
                    rows: try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM equipment WHERE source = 'bpe'") ?? -1,
                    total: try Int.fetchOne(
                        $0, sql: "SELECT COALESCE(SUM(count), 0) FROM equipment WHERE source = 'bpe'") ?? -1)
            }
            let holds = expected.firstIndex(of: sum)
            #expect(holds != nil, "\(sum) is neither \(expected[0]) nor \(expected[1])")
            return holds
        }

        /// A complete first run of extract 0, and the field team's note.
        func start() async throws -> Store {
            #expect(try await run(try config(0)).status == 0)
            let store = try Store(path: storePath)
            try await store.annotate(commune: "23096", status: .feasibility, note: Self.note)
            return store
        }
    }

    @Test func killedRunsNeverLoseData() async throws {
        let harness = try Harness()
        let started = Date()
        let store = try await harness.start()
        // The first run, timed, spreads the kills over a whole run.
        let fullRun = Date().timeIntervalSince(started)
        #expect(try await harness.holds(store) == 0)

        var generator = SplitMix64(seed: 20_261_129)
        var outcomes: [String] = []
        var previous = 0
        for trial in 1...20 {
            let next = 1 - previous
            let config = try harness.config(next)
            let delay = Double.random(in: 0.02...(fullRun * 1.1), using: &generator)
            let killAt = Date().addingTimeInterval(delay)
            let (_, killed) = try await harness.run(config) { Date() >= killAt }
            let after = try Store(path: store.path)
            let holds = try await harness.holds(after)
            outcomes.append(
                String(
                    format: "trial %2d: %@ %.2f s → store holds %@", trial,
                    killed ? "SIGKILL after" : "run finished before the kill planned at", delay,
                    holds.map { $0 == next ? "the new data" : "the previous data" } ?? "NEITHER"))
            previous = holds ?? previous
            // The next run (not killed) completes normally, loads the new file, leaves no orphans.
            if trial % 5 == 0 {
                #expect(try await harness.run(config).status == 0)
                #expect(try await harness.holds(after) == next)
                #expect(try await after.staleRows() == [:])
                previous = next
            }
        }
        print(outcomes.joined(separator: "\n"))
    }

    /// The phases of a generation's load, seen from a reader of the store.
    enum Phase: String, CaseIterable {
        /// Batches of the new generation committed, the previous one still current.
        case batches
        /// The new generation made current. The previous one's table is dropped right after, in
        /// one transaction: there is no partly deleted generation to catch any more.
        case flip
    }

    @Test func killedInEachPhaseOfALoad() async throws {
        let harness = try Harness()
        let store = try await harness.start()
        var previous = 0
        for phase in Phase.allCases {
            // Each attempt loads the other extract, watched from here, and kills the run once the
            // store shows the phase; a run too quick for the watcher is tried again.
            var hit = false
            for attempt in 1...8 where !hit {
                let next = 1 - previous
                let before = try await store.read {
                    try Int64.fetchOne($0, sql: "SELECT MAX(id) FROM ingestion_run WHERE source = 'bpe'") ?? 0
                }
                let newRows = harness.expected[next].rows
                let (_, killed) = try await harness.run(try harness.config(next)) {
                    try await store.read { db in
                        guard
                            let run = try Row.fetchOne(
                                db,
                                sql:
                                    "SELECT id, outcome, rows_loaded FROM ingestion_run WHERE id > ? AND source = 'bpe'",
                                arguments: [before])
                        else { return false }
                        let id: Int64 = run["id"]
                        let current = try Int64.fetchOne(
                            db, sql: "SELECT run_id FROM source_state WHERE source = 'bpe'")
                        switch phase {
                        case .batches:
                            // A batch committed, not the last one (it records every row): the
                            // flip comes after the last one's commit and a pause of 1 ms, the
                            // kill within a millisecond of this read (a kill that lands after the
                            // flip is tried again, below).
                            let loaded: Int = run["rows_loaded"] ?? 0
                            return current != id && loaded > 0 && loaded < newRows
                        case .flip: return current == id
                        }
                    }
                }
                guard killed else {
                    previous = try await harness.holds(store) ?? previous
                    continue
                }
                // A kill meant for the batches may land after the flip: on a busy machine, the
                // watcher's answer can come later than the load's last batch and its flip (tens
                // of milliseconds). That kill missed its phase: tried again.
                let flipped = try await store.read { db in
                    try Int64.fetchOne(db, sql: "SELECT run_id FROM source_state WHERE source = 'bpe'") ?? 0 > before
                }
                if phase == .batches && flipped {
                    print("a kill meant for the batches came after the flip (attempt \(attempt))")
                    previous = try await harness.holds(store) ?? previous
                    continue
                }
                hit = true
                print("killed in phase \(phase.rawValue) on attempt \(attempt)")
                let holds = try await harness.holds(store)
                #expect(holds == (phase == .batches ? previous : next), "killed in phase \(phase.rawValue)")
                // The next run completes, holds the new data and leaves no orphan rows.
                #expect(try await harness.run(try harness.config(next)).status == 0)
                #expect(try await harness.holds(store) == next)
                #expect(try await store.staleRows() == [:])
                previous = next
            }
            #expect(hit, "no run was caught in phase \(phase.rawValue)")
        }
    }
}
