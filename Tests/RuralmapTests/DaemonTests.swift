import Foundation
import GRDB
import Store
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real daemon binary: READY/STATUS/WATCHDOG/STOPPING over a test NOTIFY_SOCKET, every API
/// endpoint, an ingestion triggered over the API against a loopback file server, SIGHUP with a
/// broken config, SIGTERM in the middle of an ingestion.
@Suite(.serialized) struct DaemonTests {
    /// Receives sd_notify datagrams on an abstract Unix socket.
    final class NotifyListener: Sendable {
        let name = "ruralmap-test-\(UUID().uuidString.prefix(8))"
        private let fd: Int32
        private let messages = Mutex<[String]>([])

        init() throws {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let path = [UInt8(0)] + Array(name.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0 else { throw TestFailure("cannot bind notify socket") }
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let thread = Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = recv(fd, &buffer, buffer.count, 0)
                    if n > 0 {
                        let text = String(decoding: buffer[0..<n], as: UTF8.self)
                        messages.withLock { $0.append(text) }
                    } else if n < 0 && errno != EAGAIN && errno != EINTR {
                        return
                    }
                }
            }
            thread.start()
        }

        var all: [String] { messages.withLock { $0 } }

        func wait(for fragment: String, timeout: Double = 30) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if all.contains(where: { $0.contains(fragment) }) { return true }
                usleep(50_000)
            }
            return false
        }
    }

    static func request(
        _ method: String, _ url: String, token: String? = nil, body: String? = nil
    ) async throws -> (Int, String) {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        if let token { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            r.httpBody = Data(body.utf8)
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: r)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    @Test func daemonLifecycleAndAPI() async throws {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let lines = try TestSupport.gunzipLines(ds + "/cog2026_communes.csv.gz").prefix(4001)
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: dir + "/communes.csv", atomically: true, encoding: .utf8)
        let server = try LocalHTTPServer(root: dir)
        try "t0ken-\(UUID().uuidString)".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        let token = try String(contentsOfFile: dir + "/token", encoding: .utf8)
        let demo = TestSupport.packageRoot + "/data/demo"
        let sources =
            TestSupport.source(
                "cog2026", "cog-communes", "\(demo)/v_commune_2026.csv", vintage: 2026, more: "schedule = \"daily\"")
            + TestSupport.source(
                "centroids", "centroids", "\(demo)/communes_centroides.csv", vintage: 2026, more: "schedule = \"daily\""
            )
            + TestSupport.source("remote", "cog-communes", server.url("communes.csv"), vintage: 2025)
            + TestSupport.source("slow", "cog-communes", server.url("stall/communes.csv"), vintage: 2024)
        let extra = "[api]\nlisten = \"127.0.0.1:0\"\ntoken_file = \"\(dir)/token\"\n"
        let config = try TestSupport.config(
            in: dir, sources: sources, extra: extra, fetch: "retries = 0\nlow_speed_time = 30")
        let daemon = try ServedDaemon(
            config: config.path, logPath: dir + "/stderr.log", environment: ["WATCHDOG_USEC": "400000"])
        let notify = daemon.notify
        let p = daemon.process
        let base = daemon.base
        let port = daemon.port
        func log() -> String { daemon.log }

        #expect(notify.wait(for: "READY=1"), "no READY=1; log: \(log())")
        // The scheduler fetches the scheduled sources at start.
        #expect(notify.wait(for: "STATUS=idle; last job"))
        // WATCHDOG_USEC = 400 ms: a ping every 200 ms.
        for _ in 0..<30 where notify.all.filter({ $0 == "WATCHDOG=1" }).count < 3 {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(notify.all.filter { $0 == "WATCHDOG=1" }.count >= 3)

        #expect(try await Self.request("GET", base + "/healthz").0 == 200)
        #expect(try await Self.request("GET", base + "/readyz").0 == 200)
        let commune = try await Self.request("GET", base + "/api/v1/communes/99002")
        #expect(commune.0 == 200)
        #expect(commune.1.contains("Saint-Amand-des-Brumes"))
        #expect(try await Self.request("GET", base + "/api/v1/communes/99999").0 == 404)
        #expect(try await Self.request("GET", base + "/api/v1/candidates?limit=abc").0 == 400)
        #expect(try await Self.request("GET", base + "/api/v1/candidates?dep=77").0 == 400)
        #expect(try await Self.request("GET", base + "/api/v1/candidates?format=xml").0 == 400)
        #expect(try await Self.request("GET", base + "/api/v1/candidates?format=csv").1.hasPrefix("code,name,"))
        #expect(
            try await Self.request("GET", base + "/api/v1/candidates?format=geojson").1.contains("FeatureCollection"))
        #expect(try await Self.request("POST", base + "/api/v1/ingest", body: "{}").0 == 401)
        #expect(try await Self.request("POST", base + "/api/v1/ingest", token: "wrong", body: "{}").0 == 401)
        #expect(
            try await Self.request(
                "PUT", base + "/api/v1/candidates/99003", token: token, body: "{\"status\":\"maybe\"}"
            ).0 == 400)
        let huge = "{\"note\":\"" + String(repeating: "x", count: 100_000) + "\"}"
        #expect(try await Self.request("PUT", base + "/api/v1/candidates/99003", token: token, body: huge).0 == 413)
        let put = try await Self.request(
            "PUT", base + "/api/v1/candidates/99003", token: token,
            body: "{\"status\":\"contacted\",\"note\":\"mairie ok\"}")
        #expect(put.0 == 200)
        #expect(put.1.contains("mairie ok"))

        // Hostile requests: malformed JSON, traversal, SQL metacharacters, then 1,000 concurrent connections.
        #expect(
            try await Self.request("PUT", base + "/api/v1/candidates/99003", token: token, body: "{\"status\":").0
                == 400)
        #expect(try await Self.request("POST", base + "/api/v1/ingest", token: token, body: "[1,2").0 == 400)
        #expect(try await Self.request("GET", base + "/api/v1/communes/..%2F..%2Fetc%2Fpasswd").0 == 404)
        #expect(try await Self.request("GET", base + "/api/v1/communes/99002'%20OR%201=1--").0 == 404)
        #expect(try await Self.request("GET", base + "/api/v1/candidates?dep=99'%20OR%20'1'='1").0 == 400)
        #expect(
            try await Self.request("GET", base + "/api/v1/runs?source=x'%3B%20DROP%20TABLE%20candidate--").1 == "[]")
        #expect(try await Self.request("PUT", base + "/api/v1/candidates/99003", body: "{\"note\":\"x\"}").0 == 401)
        let storm = try TestSupport.command([
            "python3", "-c",
            """
            import asyncio
            async def one():
                r, w = await asyncio.open_connection('127.0.0.1', \(port))
                w.write(b'GET /api/v1/candidates?limit=5 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')
                await w.drain()
                data = await r.read()
                w.close()
                return data.split(b' ')[1] if data else b'none'
            async def main():
                results = await asyncio.gather(*[one() for _ in range(1000)], return_exceptions=True)
                print(sum(1 for x in results if x == b'200'))
            asyncio.run(main())
            """,
        ])
        #expect(storm.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1000", "\(storm.output)")
        #expect(try await Self.request("GET", base + "/healthz").0 == 200)

        // An ingestion over the API, against the loopback file server.
        let accepted = try await Self.request(
            "POST", base + "/api/v1/ingest", token: token, body: "{\"source\":\"remote\"}")
        #expect(accepted.0 == 202)
        var runs = ""
        for _ in 0..<100 {
            runs = try await Self.request("GET", base + "/api/v1/runs?source=remote").1
            if runs.contains("\"outcome\":\"loaded\"") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(runs.contains("\"rows_loaded\":4000"))
        let metrics = try await Self.request("GET", base + "/metrics").1
        #expect(metrics.contains("ruralmapd_ingestion_runs_total{source=\"remote\",outcome=\"loaded\"} 1"))
        // 99999, traversal, SQL.
        #expect(metrics.contains("ruralmapd_http_requests_total{route=\"/api/v1/communes/{code}\",status=\"404\"} 3"))

        // SIGHUP with a broken config: refused, logged, still serving.
        let good = try String(contentsOfFile: config.path, encoding: .utf8)
        try (good + "\n[store]\nbogus = 1\n").write(toFile: config.path, atomically: true, encoding: .utf8)
        kill(p.processIdentifier, SIGHUP)
        for _ in 0..<50 where !log().contains("config reload refused") { try await Task.sleep(for: .milliseconds(100)) }
        #expect(log().contains("config reload refused"))
        #expect(try await Self.request("GET", base + "/healthz").0 == 200)
        try good.write(toFile: config.path, atomically: true, encoding: .utf8)

        // SIGTERM while a (stalled) download runs: exits 0, nothing half-written, previous data intact,
        // the run recorded as cancelled.
        let before = try await Store(path: config.storePath).read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM commune")
        }
        #expect(
            try await Self.request("POST", base + "/api/v1/ingest", token: token, body: "{\"source\":\"slow\"}").0
                == 202)
        #expect(notify.wait(for: "STATUS=ingesting slow"))
        // Once the run is recorded (the job is in the download, which stalls).
        for _ in 0..<100 {
            if try await Self.request("GET", base + "/api/v1/runs?source=slow").1.contains("\"running\"") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(p.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(30)
        while p.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!p.isRunning)
        #expect(p.terminationStatus == 0, "log: \(log())")
        #expect(notify.wait(for: "STOPPING=1", timeout: 2))
        let store = try Store(path: config.storePath)
        #expect(try store.integrityCheck() == "ok")
        #expect(try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM commune") } == before)
        let slowRuns = try await store.runs(source: "slow")
        // Stopped by the daemon, not by a fault of the source.
        #expect(slowRuns.map(\.outcome) == [.cancelled])
        #expect(slowRuns.first?.error == "cancelled: the daemon stopped")
        // Next-run times persisted: a restart would not re-download the daily sources.
        let schedule = try await store.schedule()
        #expect((schedule["cog2026"]?.nextRun ?? .distantPast) > Date().addingTimeInterval(20 * 3600))
    }
}
