import Catalog
import Export
import Formats
import Foundation
import FoundationXML
import Pipeline
import Store
import Territory
import Testing

@testable import Analysis

/// Alerts: what changed between two analyses, kept as events, read from the CLI, the API and an
/// Atom feed, and POSTed to webhooks (signed, retried, never holding up an ingestion).
@Suite(.serialized) struct AlertsTests {
    /// The issue's rules, flag by flag: a loss, a downgrade and a return are news; a flag first
    /// known (the baseline) or an unknown one is not.
    @Test func changesBetweenTwoFlags() {
        let cases: [(LossFlag?, LossFlag, AlertChange?)] = [
            (.kept, .lost, .lost), (.gained, .lost, .lost), (.downgraded, .lost, .lost), (.lost, .lost, nil),
            // Opened and closed again between two vintages: gone, though the flag says "never".
            (.gained, .never, .lost), (.never, .never, nil), (.never, .lost, nil),
            (.kept, .downgraded, .downgraded), (.downgraded, .downgraded, nil), (.lost, .downgraded, .regained),
            (.lost, .kept, .regained), (.never, .gained, .regained), (.downgraded, .kept, .regained),
            (.kept, .kept, nil), (.kept, .gained, nil),
            (nil, .lost, nil), (nil, .gained, nil), (.unknown, .lost, nil), (.kept, .unknown, nil),
            (.lost, .unknown, nil),
        ]
        for (before, now, expected) in cases {
            #expect(AlertChange.between(before, now) == expected, "\(String(describing: before)) → \(now)")
        }
    }

    /// Over three analyses: a commune a source stops covering for one run (unknown) keeps its last
    /// known flag — its loss is not told twice, its return is told.
    @Test func anUnknownFlagKeepsTheLastKnownOne() {
        let code = CommuneCode("23001")
        let communes = [
            CommuneFacts(
                code: code, name: "Ahun", dep: "23", reg: "75", population: 1500, populationYear: 2023, lat: nil,
                lon: nil)
        ]
        func analysis(_ flag: LossFlag) -> Analyzer.Result {
            Analyzer.Result(
                communes: [code],
                outcomes: [
                    CategoryOutcome(
                        category: .cafeBar, vintageFrom: 2013, vintageTo: 2026, flags: [flag], sources: ["sirene"])
                ], candidates: [], vintageFrom: 2013, vintageTo: 2026, lostMeetingPlace: [], cafeKnown: [])
        }
        var known: [CommuneCode: [ServiceCategory: LossFlag]] = [:]
        var told: [AlertChange] = []
        for flag in [LossFlag.kept, .lost, .unknown, .lost, .unknown, .kept] {
            let update = WatchUpdate(known: known, result: analysis(flag), communes: communes, watched: [.cafeBar])
            told += update.alerts.map(\.change)
            for state in update.states { known[state.commune, default: [:]][state.category] = state.flag }
        }
        #expect(told == [.lost, .regained])
        #expect(known[code]?[.cafeBar] == .kept)
    }

    /// A misspelt category, a webhook that is not http(s), a name used twice: refused with the key.
    @Test func badAlertConfigIsRefused() throws {
        let dir = try TestSupport.temporaryDirectory()
        for (extra, message) in [
            ("[alerts]\ncategories = [\"cafe\"]", "unknown category cafe"),
            ("[[webhook]]\nurl = \"ftp://example.org/\"", "url: expected an http or https URL"),
            ("[[webhook]]\nurl = \"https://a.example/\"\ncategories = [\"bakery\", \"bakeries\"]", "bakeries"),
            ("[[webhook]]\nurl = \"https://a.example/\"\ndep = [\"230\"]", "230 is not a département code"),
            (
                "[[webhook]]\nname = \"a\"\nurl = \"https://a.example/\"\n[[webhook]]\nname = \"a\"\nurl = \"https://b.example/\"",
                "webhook name a used twice"
            ),
        ] {
            #expect(throws: ConfigError.self, "\(extra)") { try TestSupport.config(in: dir, sources: "", extra: extra) }
            do { _ = try TestSupport.config(in: dir, sources: "", extra: extra) } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
        let good = try TestSupport.config(
            in: dir, sources: "",
            extra: "[alerts]\nretry_delay = 2\n[[webhook]]\nurl = \"https://a.example/\"\ncategories = [\"post\"]")
        #expect(good.webhooks.map(\.name) == ["webhook1"] && good.webhooks.first?.filter.categories == [.post])
        #expect(good.alerts.delay(afterAttempts: 1) == 2 && good.alerts.delay(afterAttempts: 3) == 8)
    }

    /// Real BPE: 2013 alone is the baseline (no alert); adding 2018 gives one `lost` alert per
    /// `lost` flag of each watched category, as the export shows them; analysing again, none more.
    @Test func bpeLossesBecomeAlertsOnce() async throws {
        let ds = try TestSupport.datasets()
        let dir = try TestSupport.temporaryDirectory()
        let before =
            TestSupport.geographySources(ds)
            + TestSupport.source("bpe2013", "bpe", "file://\(ds)/bpe2013_communes_typequ.csv.gz", vintage: 2013)
        var config = try TestSupport.config(in: dir, sources: before)
        let store = try Store(path: config.storePath)
        let first = try await MainJob(config: config, store: store, logger: TestSupport.logger).run()
        #expect(!first.failed && first.analysis?.alerts == 0)
        #expect(try await store.alerts(AlertFilter()).isEmpty)

        config = try TestSupport.config(
            in: dir,
            sources: before
                + TestSupport.source("bpe2018", "bpe", "file://\(ds)/bpe2018_ensemble_iris.csv.gz", vintage: 2018))
        let second = try await MainJob(config: config, store: store, logger: TestSupport.logger).run()
        #expect(!second.failed)
        let alerts = try await store.alerts(AlertFilter(), limit: 1_000_000)
        #expect(second.analysis?.alerts == alerts.count)

        let csv = dir + "/communes.csv"
        _ = try await Exporter(store: store, targetVintage: config.targetVintage)
            .write(ExportSettings(format: .csv, what: .communes, departements: [], output: csv))
        let rows = try SitesTests.csvRows(csv)
        var checked = 0
        for category in config.alerts.categories {
            let flags = rows.filter { $0["flag_\(category.rawValue)"] == "lost" }.count
            let lost = alerts.filter { $0.category == category && $0.change == .lost }
            #expect(lost.count == flags, "\(category)")
            checked += flags
        }
        #expect(checked > 1000)  // bakeries, groceries, post offices and restaurants closed in 2013–2018
        #expect(alerts.allSatisfy { $0.vintageFrom == 2013 && $0.vintageTo == 2018 && $0.detectedAt != nil })

        _ = try await MainJob(config: config, store: store, logger: TestSupport.logger).analyze()
        #expect(try await store.alerts(AlertFilter(), limit: 1_000_000).count == alerts.count)
    }

    /// The demo served by the daemon, four webhooks on a local receiver: the last café of
    /// Rochebrune-en-Bois closes in a new Sirene stock.
    @Test func aClosedCafeIsDeliveredSignedRetriedAndFed() async throws {
        let config = try CLITests.demoConfig()
        let dir = (config as NSString).deletingLastPathComponent
        let demoSirene = TestSupport.packageRoot + "/data/demo/StockEtablissement_utf8.zip"
        try FileManager.default.copyItem(atPath: demoSirene, toPath: dir + "/sirene.zip")
        let server = try LocalHTTPServer(root: dir)
        let hooks = "http://127.0.0.1:\(server.port)/hook"
        let secret = "s3cret-\(UUID().uuidString)"
        try secret.write(toFile: dir + "/hook.secret", atomically: true, encoding: .utf8)
        let token = "t0ken-\(UUID().uuidString)"
        try token.write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(of: demoSirene, with: dir + "/sirene.zip")
        text += """

            [api]
            listen = "127.0.0.1:0"
            token_file = "\(dir)/token"
            [alerts]
            retry_delay = 0.3
            max_attempts = 3
            poll = 0.1
            timeout = 60
            [[webhook]]
            name = "ok"
            url = "\(hooks)/ok/ok"
            dep = ["99"]
            categories = ["cafe_bar"]
            secret_file = "hook.secret"
            [[webhook]]
            name = "flaky"
            url = "\(hooks)/flaky/1/flaky"
            [[webhook]]
            name = "silent"
            url = "\(hooks)/silent/silent"
            [[webhook]]
            name = "down"
            url = "\(hooks)/flaky/100/down"
            [[webhook]]
            name = "elsewhere"
            url = "\(hooks)/ok/elsewhere"
            dep = ["23"]

            """
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try CLITests.ruralmapd(["run", "--config", config]).status == 0)
        #expect(try Self.alerts(config).isEmpty)  // the first analysis is the baseline
        let daemon = try ServedDaemon(config: config, logPath: dir + "/serve.log")

        // L'ESTAMINET (SIRET 90000006000012), Rochebrune's only café, closes on 2026-10-01.
        let script = """
            import sys, zipfile
            path = sys.argv[1]
            with zipfile.ZipFile(path) as z:
                name = z.namelist()[0]
                text = z.read(name).decode()
            old = ",2017-07-01,A,L'ESTAMINET,"
            assert text.count(old) == 1
            text = text.replace(old, ",2026-10-01,F,L'ESTAMINET,")
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(name, text)
            """
        #expect(try TestSupport.command(["python3", "-c", script, dir + "/sirene.zip"]).status == 0)
        let run = try CLITests.ruralmapd(["run", "--config", config])
        #expect(run.status == 0 && run.stdout.contains("1 new alert ("), "\(run.stdout)\(run.stderr)")
        let alerts = try Self.alerts(config)
        #expect(alerts.count == 1)
        let alert = try #require(alerts.first)
        #expect(alert.code.rawValue == "99005" && alert.name == "Rochebrune-en-Bois" && alert.dep == "99")
        #expect(alert.category == .cafeBar && alert.change == .lost && alert.sources.contains("sirene"))

        // Delivered to the matching webhooks: signed for "ok", after a 500 for "flaky".
        func received(_ name: String) async throws -> [[String: Any]] {
            let (_, body) = try await DaemonTests.request("GET", "\(hooks)/log/\(name)")
            return try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] ?? []
        }
        for _ in 0..<100 {
            if try await received("ok").count == 1, try await received("flaky").count == 2,
                try await received("down").count == 3
            {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let ok = try await received("ok")
        #expect(ok.count == 1)
        let body = try #require(ok.first?["body"] as? String)
        let delivered = try ContractEncoding.decoder.decode(AlertSummary.self, from: Data(body.utf8))
        #expect(delivered == alert)
        let headers = try #require(ok.first?["headers"] as? [String: String])
        try body.write(toFile: dir + "/body.json", atomically: true, encoding: .utf8)
        let hmac = try TestSupport.command(["openssl", "dgst", "-sha256", "-hmac", secret, dir + "/body.json"])
        let expected = try #require(hmac.output.split(separator: " ").last).trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(headers["X-Ruralmap-Signature"] == "sha256=" + expected)
        let flaky = try await received("flaky")
        #expect(flaky.compactMap { $0["status"] as? Int } == [500, 200])
        #expect(Set(flaky.compactMap { $0["body"] as? String }) == [body])
        #expect(try await received("elsewhere").isEmpty)  // another département
        #expect(try await received("down").compactMap { $0["status"] as? Int } == [500, 500, 500])  // then abandoned
        #expect(try await received("silent").count == 1)  // in flight: it never answers

        // An ingestion while the silent receiver holds its delivery: it runs and ends all the same.
        let started = Date()
        #expect(
            try await DaemonTests.request("POST", daemon.base + "/api/v1/ingest", token: token, body: "{}").0 == 202)
        var finished = false
        for _ in 0..<200 where !finished {
            let (_, runs) = try await DaemonTests.request("GET", daemon.base + "/api/v1/runs?limit=10")
            let list = try JSONSerialization.jsonObject(with: Data(runs.utf8)) as? [[String: Any]] ?? []
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            finished =
                list.count == 10
                && list.allSatisfy {
                    ($0["finished_at"] as? String).flatMap(iso.date).map { $0 > started } ?? false
                }
            if !finished { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(finished, "the ingestion did not end while a webhook held its delivery")
        let status = try CLITests.ruralmapd(["status", "--json", "--config", config])
        let report = try ContractEncoding.decoder.decode(StatusReport.self, from: Data(status.stdout.utf8))
        let health = Dictionary(uniqueKeysWithValues: report.webhooks.map { ($0.name, $0) })
        #expect(health["silent"]?.pending == 1 && health["silent"]?.lastAttemptAt == nil)
        #expect(health["flaky"]?.delivered == 1 && health["flaky"]?.consecutiveFailures == 0)
        #expect(health["down"]?.abandoned == 1 && health["down"]?.consecutiveFailures == 3)
        #expect(health["down"]?.lastError == "HTTP 500" && health["down"]?.pending == 0)
        #expect(health["elsewhere"]?.pending == 0 && health["elsewhere"]?.delivered == 0)
        let attempts = try CLITests.ruralmapd(["alerts", "--deliveries", "--json", "--config", config])
        let logged = try ContractEncoding.decoder.decode([DeliveryAttempt].self, from: Data(attempts.stdout.utf8))
        #expect(
            logged.map(\.outcome).sorted { $0.rawValue < $1.rawValue } == [
                .abandoned, .delivered, .delivered, .failed, .failed, .failed,
            ])

        // The API and the feed.
        let (_, listed) = try await DaemonTests.request("GET", daemon.base + "/api/v1/alerts?dep=99&category=cafe_bar")
        #expect(try ContractEncoding.decoder.decode([AlertSummary].self, from: Data(listed.utf8)) == [alert])
        let feedURL = daemon.base + "/api/v1/alerts.atom?dep=99&category=cafe_bar"
        let (feedStatus, feed) = try await DaemonTests.request("GET", feedURL)
        #expect(feedStatus == 200)
        let xml = try XMLDocument(data: Data(feed.utf8))
        let root = try #require(xml.rootElement())
        #expect(root.localName == "feed" && root.uri == "http://www.w3.org/2005/Atom")
        let entries = root.elements(forLocalName: "entry", uri: "http://www.w3.org/2005/Atom")
        #expect(entries.count == 1)
        let title = entries.first?.elements(forLocalName: "title", uri: "http://www.w3.org/2005/Atom").first
        #expect(title?.stringValue == "Rochebrune-en-Bois a perdu son dernier café")
        let ids = entries.compactMap {
            $0.elements(forLocalName: "id", uri: "http://www.w3.org/2005/Atom").first?.stringValue
        }
        let (_, again) = try await DaemonTests.request("GET", feedURL)
        let againIDs = try XMLDocument(data: Data(again.utf8)).rootElement()?.elements(
            forLocalName: "entry", uri: "http://www.w3.org/2005/Atom"
        ).compactMap { $0.elements(forLocalName: "id", uri: "http://www.w3.org/2005/Atom").first?.stringValue }
        #expect(!ids.isEmpty && againIDs == ids)
        // Without a public URL the links are the host asked for: another host gets its own links,
        // and the feed kept for it is not handed to the next client (same request otherwise).
        let url = try #require(URL(string: feedURL))
        let hosts = try TestSupport.command([
            "python3", "-c",
            "import http.client, sys\n"
                + "for host in ('feeds.example:8080', sys.argv[2]):\n"
                + "    c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[3]))\n"
                + "    c.request('GET', sys.argv[1], headers={'Host': host})\n"
                + "    print(c.getresponse().read().decode() + '\\n=====')",
            url.path + "?" + (url.query ?? ""), "127.0.0.1:\(url.port!)", String(url.port!),
        ])
        let feeds = hosts.output.components(separatedBy: "\n=====")
        #expect(feeds.count == 3 && feeds[0].contains("http://feeds.example:8080/"))
        #expect(feeds.count == 3 && feeds[1].contains(daemon.base) && !feeds[1].contains("feeds.example"))
        let (_, none) = try await DaemonTests.request("GET", daemon.base + "/api/v1/alerts.atom?dep=99&category=post")
        #expect(
            try XMLDocument(data: Data(none.utf8)).rootElement()?.elements(
                forLocalName: "entry", uri: "http://www.w3.org/2005/Atom"
            ).isEmpty == true)
        for bad in ["alerts?dep=77", "alerts?category=nope", "alerts?since=hier", "alerts.atom?since=2026-13-45"] {
            #expect(try await DaemonTests.request("GET", daemon.base + "/api/v1/" + bad).0 == 400, "\(bad)")
        }
        let (_, metrics) = try await DaemonTests.request("GET", daemon.base + "/metrics")
        #expect(metrics.contains(#"ruralmapd_alerts_total{category="cafe_bar",change="lost"} 1"#))
        #expect(metrics.contains(#"ruralmapd_webhook_deliveries_total{outcome="delivered"} 2"#))
        #expect(metrics.contains(#"ruralmapd_webhook_deliveries_total{outcome="failed"} 3"#))
        #expect(metrics.contains(#"ruralmapd_webhook_abandoned_deliveries{webhook="down"} 1"#))
        #expect(metrics.contains(#"ruralmapd_webhook_consecutive_failures{webhook="down"} 3"#))

        // The page lists it and marks the commune.
        let seen = try MapTests.browse(daemon.base, deps: ["99"], click: "99005", name: "alerts")
        let listedOnPage = try #require(seen["alerts"] as? [String])
        #expect(
            listedOnPage.count == 1 && listedOnPage.first?.hasSuffix("Rochebrune-en-Bois : perdu · café, bar") == true)
        #expect(seen["alert_marks"] as? [String] == ["99005"])
        #expect(seen["linked_card"] as? String == "Rochebrune-en-Bois (99005)")  // the feed's link
        #expect(seen["console_errors"] as? [String] == [])

        // Analysing unchanged data again adds none.
        #expect(try CLITests.ruralmapd(["analyze", "--config", config]).status == 0)
        #expect(try Self.alerts(config) == alerts)
        let badSince = try CLITests.ruralmapd(["alerts", "--since", "yesterday", "--config", config])
        #expect(badSince.status != 0 && badSince.stderr.contains("since must be a date"))
        let tomorrow = try CLITests.ruralmapd(["alerts", "--since", "2100-01-01", "--json", "--config", config])
        #expect(tomorrow.status == 0)
        #expect(try ContractEncoding.decoder.decode([AlertSummary].self, from: Data(tomorrow.stdout.utf8)).isEmpty)
        let otherDep = try CLITests.ruralmapd(["alerts", "--dep", "23", "--config", config])
        #expect(otherDep.status != 0 && otherDep.stderr.contains("unknown département 23"))

        // The café reopens (the stock as it was): the reverse alert, delivered too.
        try FileManager.default.removeItem(atPath: dir + "/sirene.zip")
        try FileManager.default.copyItem(atPath: demoSirene, toPath: dir + "/sirene.zip")
        #expect(try CLITests.ruralmapd(["run", "--config", config]).status == 0)
        let now = try Self.alerts(config)
        #expect(now.count == 2 && now.first?.code.rawValue == "99005" && now.first?.change == .regained)
        #expect(now.dropFirst().first == alert)  // never rewritten
        for _ in 0..<100 where try await received("ok").count < 2 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(
            try await received("ok").last.flatMap { $0["body"] as? String }.map { $0.contains("\"regained\"") } == true)

        // SIGTERM while the silent receiver still holds its delivery (60 s timeout): the daemon
        // stops at once, and the delivery stays pending for the next start, its attempts unspent.
        let stopping = Date()
        kill(daemon.process.processIdentifier, SIGTERM)
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)
        #expect(Date().timeIntervalSince(stopping) < 10, "the daemon waited for the POST in flight")
        let after = try CLITests.ruralmapd(["status", "--json", "--config", config])
        let silent = try ContractEncoding.decoder.decode(StatusReport.self, from: Data(after.stdout.utf8))
            .webhooks.first { $0.name == "silent" }
        #expect(silent?.pending == 2 && silent?.lastAttemptAt == nil)  // the loss and the reopening
    }

    static func alerts(_ config: String) throws -> [AlertSummary] {
        let out = try CLITests.ruralmapd(["alerts", "--json", "--config", config])
        guard out.status == 0 else { throw TestFailure("alerts failed: \(out.stderr)") }
        return try ContractEncoding.decoder.decode([AlertSummary].self, from: Data(out.stdout.utf8))
    }
}
