import Foundation
import GRDB
import Pipeline
import Store
import Testing

/// A long load (a million facilities generated here, loaded by the real binary) overlapping the
/// field team's writes, the read-only commands, a second ingestion and a daemon's shutdown.
@Suite(.serialized) struct ConcurrencyTests {
    /// The demo territory loaded, then a facility file of `rows` rows written in place of the
    /// eight the store holds, ready to load.
    struct Fixture {
        static let binary = TestSupport.packageRoot + "/.build/debug/ruralmapd"
        /// The facilities of the first load.
        static let firstRows = 8

        let dir: String
        let config: Config
        let token: String

        init(rows: Int) throws {
            dir = try TestSupport.temporaryDirectory()
            token = "t0ken-\(UUID().uuidString)"
            try token.write(toFile: dir + "/token", atomically: true, encoding: .utf8)
            let demo = TestSupport.packageRoot + "/data/demo"
            config = try TestSupport.config(
                in: dir,
                sources: TestSupport.source("cog2026", "cog-communes", "\(demo)/v_commune_2026.csv", vintage: 2026)
                    + TestSupport.source(
                        "population2023", "population", "\(demo)/donnees_communes_2023.csv", vintage: 2023,
                        more: "geography = 2025")
                    + TestSupport.source("centroids", "centroids", "\(demo)/communes_centroides.csv", vintage: 2026)
                    + TestSupport.source("bpe2013", "bpe", "\(demo)/bpe2013_communes_typequ.csv", vintage: 2013)
                    + TestSupport.source("big", "bpe", "\(dir)/big.csv", vintage: 2024),
                extra: "[api]\nlisten = \"127.0.0.1:0\"\ntoken_file = \"\(dir)/token\"\n")
            try writeFacilities(Self.firstRows)
            let first = try cli(["run"])
            guard first.status == 0 else { throw TestFailure("the first run failed: \(first.output)") }
            try writeFacilities(rows)
        }

        /// Restaurants (A504) spread over the eight demo communes, one per row.
        func writeFacilities(_ rows: Int) throws {
            _ = FileManager.default.createFile(atPath: dir + "/big.csv", contents: nil)
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/big.csv"))
            defer { try? file.close() }
            var chunk = "DEPCOM;TYPEQU;LONGITUDE;LATITUDE;QUALITE_XY\n"
            for i in 0..<rows {
                chunk += "9900\(1 + i % 8);A504;2.\(i % 1000);46.\(i % 997);Bonne\n"
                if chunk.utf8.count > 1 << 20 {
                    try file.write(contentsOf: Data(chunk.utf8))
                    chunk = ""
                }
            }
            try file.write(contentsOf: Data(chunk.utf8))
        }

        /// Runs `ruralmapd ARGS --config CONFIG` and returns its status, stdout and stderr.
        func cli(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try TestSupport.command([Self.binary] + arguments + ["--config", config.path])
        }

        /// Runs `ruralmapd ARGS --config CONFIG` for each list of arguments, all at once; returns
        /// their statuses, outputs and durations, in order.
        func cliAtOnce(_ argumentLists: [[String]]) async throws -> [(status: Int32, output: String, seconds: Double)] {
            let started = Date()
            let running = try argumentLists.map { arguments in
                let p = Process()
                p.executableURL = URL(fileURLWithPath: Self.binary)
                p.arguments = arguments + ["--config", config.path]
                let out = Pipe()
                p.standardOutput = out
                p.standardError = out
                try p.run()
                return (process: p, output: out)
            }
            var ended = [Double?](repeating: nil, count: running.count)
            while ended.contains(nil) {
                for (i, r) in running.enumerated() where ended[i] == nil && !r.process.isRunning {
                    ended[i] = Date().timeIntervalSince(started)
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            return running.enumerated().map { i, r in
                let output = String(decoding: r.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                return (r.process.terminationStatus, output, ended[i]!)
            }
        }

        /// `ruralmapd ingest --source big`, started in the background.
        func startIngest() throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.binary)
            p.arguments = ["ingest", "--source", "big", "--config", config.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }

        /// The run of `big` that `status --json` reports, once the store shows it loading rows.
        func waitForLoadingRun(timeout: Double = 60) throws -> StatusReport.RunSummary? {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let run = try status().run, run.outcome == .running, (run.rowsLoaded ?? 0) > 0 { return run }
                usleep(100_000)
            }
            return nil
        }

        /// `status --json`: its exit status and the last run of `big`.
        func status() throws -> (exit: Int32, run: StatusReport.RunSummary?) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.binary)
            p.arguments = ["status", "--json", "--config", config.path]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { return (p.terminationStatus, nil) }
            let report = try ContractEncoding.decoder.decode(StatusReport.self, from: data)
            return (0, report.sources.first { $0.name == "big" }?.lastRun)
        }

        /// The facilities of `big` readers see, and the rows of no current generation.
        func stored() async throws -> (facilities: Int, stale: [String: Int]) {
            let store = try Store(path: config.storePath, access: .readOnly)
            let facilities = try await store.read {
                try Int.fetchOne($0, sql: "SELECT COALESCE(SUM(count), 0) FROM equipment WHERE source = 'big'") ?? -1
            }
            return (facilities, try await store.staleRows())
        }
    }

    static let loadRows = 1_000_000

    @Test func fieldNotesReadsAndRefusalsDuringALoad() async throws {
        let fixture = try Fixture(rows: Self.loadRows)
        let daemon = try ServedDaemon(config: fixture.config.path, logPath: fixture.dir + "/daemon.log")
        let ingest = try fixture.startIngest()
        defer { if ingest.isRunning { kill(ingest.processIdentifier, SIGKILL) } }
        let live = try fixture.waitForLoadingRun()
        try #require(live != nil, "the load never showed as running")

        // 20 field notes through the CLI, then 20 through the API, each batch all at once, each note
        // timed (printed, not asserted: the benchmark measures latency on a release build).
        let annotations = try await fixture.cliAtOnce(
            (1...20).map { ["annotate", "99003", "--status", "contacted", "--note", "appel \($0)"] })
        for (i, a) in annotations.enumerated() { #expect(a.status == 0, "annotate \(i + 1): \(a.output)") }
        let (base, token) = (daemon.base, fixture.token)
        let puts = try await withThrowingTaskGroup(of: (code: Int, body: String, seconds: Double).self) { group in
            for i in 1...20 {
                group.addTask {
                    let started = Date()
                    let (code, body) = try await DaemonTests.request(
                        "PUT", base + "/api/v1/candidates/99003", token: token,
                        body: "{\"status\":\"feasibility\",\"note\":\"visite \(i)\"}")
                    return (code, body, Date().timeIntervalSince(started))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for put in puts { #expect(put.code == 200, "PUT: \(put.body)") }
        let seconds = annotations.map(\.seconds) + puts.map(\.seconds)
        // Read-only commands answer, with the live run as it is.
        let during = try fixture.status()
        #expect(during.exit == 0)
        #expect(during.run?.outcome == .running)
        #expect(during.run?.error == nil)
        for command in [["commune", "99003"], ["candidates"], ["export", "--format", "csv", "--output", "-"]] {
            let r = try fixture.cli(command)
            #expect(r.status == 0, "\(command): \(r.output)")
        }
        // A second ingestion is refused, naming the first.
        let holder = "another ingestion is running: pid \(ingest.processIdentifier), started at "
        let second = try fixture.cli(["ingest", "--source", "big"])
        #expect(second.status != 0)
        #expect(second.output.contains(holder), "\(second.output)")
        let post = try await DaemonTests.request(
            "POST", daemon.base + "/api/v1/ingest", token: fixture.token, body: "{\"source\":\"big\"}")
        #expect(post.0 == 409)
        #expect(post.1.contains(holder), "\(post.1)")
        // All of it happened during the load.
        #expect(ingest.isRunning, "the load ended before the last request: make it longer")
        print(
            String(
                format: "40 field notes (20 CLI, then 20 API, each batch at once) during a %d-row load: "
                    + "median %.0f ms, max %.0f ms (debug build)",
                Self.loadRows, seconds.sorted()[20] * 1000, seconds.max()! * 1000))

        while ingest.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(ingest.terminationStatus == 0)
        let after = try fixture.status()
        #expect(after.run?.outcome == .loaded)
        #expect(after.run?.rowsLoaded == Self.loadRows)
        let (facilities, stale) = try await fixture.stored()
        #expect(facilities == Self.loadRows)
        #expect(stale.isEmpty, "rows left behind: \(stale)")
        let note = try await Store(path: fixture.config.storePath, access: .readOnly).candidate(commune: "99003")
        #expect(note?.status == .feasibility)
        #expect(note?.note.map { (1...20).map { "visite \($0)" }.contains($0) } == true, "\(String(describing: note))")
    }

    @Test func sigtermCancelsAnAPIStartedLoad() async throws {
        let fixture = try Fixture(rows: Self.loadRows)
        let daemon = try ServedDaemon(config: fixture.config.path, logPath: fixture.dir + "/daemon.log")
        let accepted = try await DaemonTests.request(
            "POST", daemon.base + "/api/v1/ingest", token: fixture.token, body: "{\"source\":\"big\"}")
        #expect(accepted.0 == 202)
        let live = try fixture.waitForLoadingRun()
        try #require(live != nil, "the load never showed as running")

        kill(daemon.process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(30)
        while daemon.process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!daemon.process.isRunning)
        #expect(daemon.process.terminationStatus == 0, "log: \(daemon.log)")

        let store = try Store(path: fixture.config.storePath, access: .readOnly)
        #expect(try store.integrityCheck() == "ok")
        let runs = try await store.runs(source: "big")
        #expect(runs.map(\.outcome) == [.cancelled, .loaded])
        #expect(runs.first?.error == "cancelled: the daemon stopped")
        // The previous data in force, and nothing of the abandoned load left.
        let (facilities, stale) = try await fixture.stored()
        #expect(facilities == Fixture.firstRows)
        #expect(stale.isEmpty, "rows left behind: \(stale)")
        // The lock went with the daemon: the next ingestion runs.
        try fixture.writeFacilities(Fixture.firstRows + 1)
        #expect(try fixture.cli(["ingest", "--source", "big"]).status == 0)
        #expect(try await fixture.stored().facilities == Fixture.firstRows + 1)
    }
}
