import Foundation
import GRDB
import Pipeline
import Store
import Territory
import Testing

/// The `ruralmapd` binary as scripts and monitoring use it, and the config contract.
@Suite(.serialized) struct CLITests {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func ruralmapd(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestSupport.packageRoot + "/.build/debug/ruralmapd")
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        p.environment = env
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(
            status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    /// The demo config, copied to a temp dir with absolute paths and its own store.
    static func demoConfig() throws -> String {
        let dir = try TestSupport.temporaryDirectory()
        var text = try String(contentsOfFile: TestSupport.packageRoot + "/Config/demo.toml", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"../var/demo", with: "\"\(dir)").replacingOccurrences(
            of: "\"../", with: "\"\(TestSupport.packageRoot)/")
        try text.write(toFile: dir + "/demo.toml", atomically: true, encoding: .utf8)
        return dir + "/demo.toml"
    }

    @Test func demoRunStatusAndCommune() throws {
        let config = try Self.demoConfig()
        let run = try Self.ruralmapd(["run", "--config", config])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("candidates"))
        // The config may also come from the environment.
        let status = try Self.ruralmapd(["status", "--json"], environment: ["RURALMAPD_CONFIG": config])
        #expect(status.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        let sources = json["sources"] as! [[String: Any]]
        #expect(sources.count == 10)
        for s in sources {
            #expect(Set(s.keys) == ["name", "kind", "url", "vintage", "coverage", "last_run"])
            // The geography has no coverage; every other demo file covers the whole (one-département) territory.
            let geography = ["cog-communes", "cog-mouvements"].contains(s["kind"] as! String)
            #expect(geography ? s["coverage"] is NSNull : s["coverage"] as? String == "national", "\(s)")
            let last = s["last_run"] as! [String: Any]
            #expect(
                Set(last.keys) == [
                    "outcome", "started_at", "finished_at", "http_status", "bytes", "sha256", "rows_read",
                    "rows_loaded", "rows_rejected", "error",
                ])
            #expect(["loaded", "unchanged", "failed"].contains(last["outcome"] as! String))
        }
        let commune = try Self.ruralmapd(["commune", "99008", "--json", "--config", config])
        #expect(commune.status == 0)
        let c = try JSONSerialization.jsonObject(with: Data(commune.stdout.utf8)) as! [String: Any]
        for key in [
            "code", "name", "type", "dep", "reg", "population", "population_year", "lat", "lon", "services",
            "former_communes", "flags", "access", "candidate",
        ] {
            #expect(c[key] != nil, "missing \(key)")
        }
        #expect(c["name"] as? String == "Val-d'Orvin")
        #expect(c["population"] as? Int == 760)
        #expect((c["former_communes"] as! [[String: Any]]).compactMap { $0["code"] as? String } == ["99008", "99009"])
        let candidate = c["candidate"] as! [String: Any]
        #expect((candidate["breakdown"] as! [[String: Any]]).count == 6)
        let unknown = try Self.ruralmapd(["commune", "99999", "--config", config])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown commune 99999"))
        #expect(unknown.stderr.split(separator: "\n").count == 1)
        let candidates = try Self.ruralmapd(["candidates", "--json", "--limit", "2", "--config", config])
        let list = try JSONSerialization.jsonObject(with: Data(candidates.stdout.utf8)) as! [[String: Any]]
        #expect(list.count == 2)
        #expect(
            Set(list[0].keys) == ["code", "name", "dep", "population", "score", "rank", "status", "note", "cafe_known"])
        let annotate = try Self.ruralmapd([
            "annotate", "99003", "--status", "contacted", "--note", "RDV mairie", "--config", config,
        ])
        #expect(annotate.status == 0)
        // An unknown status is refused at the command line, naming the valid ones.
        let maybe = try Self.ruralmapd(["annotate", "99003", "--status", "maybe", "--config", config])
        #expect(maybe.status != 0 && maybe.stderr.contains("contacted"), "\(maybe.stderr)")
        let export = try Self.ruralmapd(["export", "--format", "csv", "--output", "-", "--config", config])
        #expect(export.stdout.contains("RDV mairie"))
        let badDep = try Self.ruralmapd(["export", "--format", "csv", "--dep", "77", "--config", config])
        #expect(badDep.status != 0)
        #expect(badDep.stderr.contains("unknown département 77"))
        let badList = try Self.ruralmapd(["candidates", "--dep", "77", "--config", config])
        #expect(badList.status != 0)
        #expect(badList.stderr.contains("unknown département 77"))
    }

    @Test func annotationsSurviveARecalibrationAndReanalysis() throws {
        let config = try Self.demoConfig()
        let dir = (config as NSString).deletingLastPathComponent
        #expect(try Self.ruralmapd(["run", "--config", config]).status == 0)
        #expect(
            try Self.ruralmapd([
                "annotate", "99003", "--status", "feasibility", "--note", "salle communale libre", "--config", config,
            ]).status == 0)
        try "code,nom\n99002,Saint-Amand-des-Brumes\n99004,Marcillac-sur-Vive\n".write(
            toFile: dir + "/chosen.csv", atomically: true, encoding: .utf8)
        let calibrate = try Self.ruralmapd([
            "calibrate", "--chosen", dir + "/chosen.csv", "--folds", "2", "--write", "--config", config,
        ])
        #expect(calibrate.status == 0, "\(calibrate.stderr)")
        #expect(calibrate.stderr.contains("wrote [analysis]"))
        #expect(try Self.ruralmapd(["analyze", "--config", config]).status == 0)
        let card = try Self.ruralmapd(["commune", "99003", "--json", "--config", config])
        let candidate =
            (try JSONSerialization.jsonObject(with: Data(card.stdout.utf8)) as? [String: Any])?["candidate"]
            as? [String: Any]
        #expect(candidate?["status"] as? String == "feasibility")
        #expect(candidate?["note"] as? String == "salle communale libre")
        #expect(candidate?["listed"] as? Bool == true)
        // A choice file without a code column is a clear error.
        try "nom\nSaint-Amand\n".write(toFile: dir + "/names.csv", atomically: true, encoding: .utf8)
        let bad = try Self.ruralmapd(["validate", "--chosen", dir + "/names.csv", "--config", config])
        #expect(bad.status == 1 && bad.stderr.contains("no column of commune codes"))
    }

    @Test func aMinimalConfigRunsOnTheCompiledInCategories() async throws {
        let dir = try TestSupport.temporaryDirectory()
        let demo = TestSupport.packageRoot + "/data/demo"
        let text = """
            [store]
            path = "\(dir)/store.sqlite"
            [fetch]
            cache_dir = "\(dir)/cache"
            [geography]
            target_vintage = 2026
            [[source]]
            name = "cog"
            kind = "cog-communes"
            url = "\(demo)/v_commune_2026.csv"
            vintage = 2026
            """
        try text.write(toFile: dir + "/minimal.toml", atomically: true, encoding: .utf8)
        let run = try Self.ruralmapd(["run", "--config", dir + "/minimal.toml"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("cog-communes  loaded"))
        // The category table compiled in is in force (data/categories.csv: cafés from Sirene 56.30Z).
        let store = try Store(path: dir + "/store.sqlite")
        let cafes = try await store.read {
            try String.fetchAll(
                $0, sql: "SELECT code FROM category_code WHERE category = 'cafe_bar' AND source_kind = 'sirene'")
        }
        #expect(cafes == ["56.30Z"])
    }

    @Test func configErrorsNameTheKeyAndLine() throws {
        let dir = try TestSupport.temporaryDirectory()
        func error(_ text: String) -> String {
            try? text.write(toFile: dir + "/c.toml", atomically: true, encoding: .utf8)
            do {
                _ = try Config.load(path: dir + "/c.toml")
                return ""
            } catch { return "\(error)" }
        }
        let base = "[geography]\ntarget_vintage = 2026\n"
        #expect(error(base + "[store]\npaht = \"x\"\n").contains("line 4: unknown key paht in [store]"))
        #expect(error("[store]\npath = \"x\"\n").contains("missing key target_vintage"))
        #expect(error(base + "[fetch]\nretries = \"many\"\n").contains("line 4: retries: expected an integer"))
        #expect(
            error(base + "[[source]]\nname = \"a\"\nkind = \"bpe\"\nurl = \"ftp://x\"\nvintage = 2013\n").contains(
                "line 6: url: scheme ftp is not allowed"))
        #expect(
            error(base + "[[source]]\nname = \"a\"\nkind = \"csv\"\nurl = \"x\"\nvintage = 2013\n").contains(
                "line 5: kind: unknown kind csv"))
        #expect(
            error(
                base
                    + "[[source]]\nname = \"a\"\nkind = \"bpe\"\nurl = \"x\"\nvintage = 2013\nschedule = \"sometimes\"\n"
            ).contains("line 8: schedule"))
        #expect(error(base + "[analysis]\nweights = { vitality = 1, luck = 2 }\n").contains("weights.luck"))
        #expect(error(base + "[store\n").contains("line 3"))
        let bpe = base + "[[source]]\nname = \"a\"\nkind = \"bpe\"\nurl = \"x\"\nvintage = 2013\n"
        #expect(error(bpe + "coverage = \"regional\"\n").contains("line 8: coverage: expected \"national\""))
        #expect(
            error(bpe + "coverage = [\"23\", \"Creuse\"]\n").contains(
                "line 8: coverage: Creuse is not a département code"))
        #expect(error(bpe + "coverage = []\n").contains("line 8: coverage"))
        #expect(error(bpe + "coverage = [\"23\", \"2A\", \"971\"]\n") == "")
        #expect(try Config.load(path: dir + "/c.toml").sources[0].coverage == .departements(["23", "2A", "971"]))
        #expect(error(bpe + "coverage = \"national\"\n") == "")
        #expect(try Config.load(path: dir + "/c.toml").sources[0].coverage == .national)
        let ok = error(
            base
                + "[[source]]\nname = \"a\"\nkind = \"bpe\"\nurl = \"data/x.csv\"\nvintage = 2013\nschedule = \"every 6h\"\ncolumns = { code = \"CODGEO\" }\n"
        )
        #expect(ok == "")
        let config = try Config.load(path: dir + "/c.toml")
        #expect(config.sources[0].url == "file://\(dir)/data/x.csv")
        #expect(config.sources[0].schedule.map { Int($0.seconds) } == 21_600)
        #expect(config.sources[0].columns == ["code": "CODGEO"])
        // A missing config file is a one-line error with exit status 1.
        let missing = try Self.ruralmapd(["status", "--config", dir + "/nope.toml"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.toml"))
    }
}
