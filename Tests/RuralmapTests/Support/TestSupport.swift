import Catalog
import Foundation
import Logging
import Pipeline
import Store
import Territory
import Testing

/// Paths and helpers shared by the tests.
enum TestSupport {
    /// The package root (two levels above this file's folder).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `../shared/datasets`, or `$RURALMAP_DATASETS`. Fails loudly when missing: never a silent skip.
    static func datasets() throws -> String {
        let path = ProcessInfo.processInfo.environment["RURALMAP_DATASETS"] ?? packageRoot + "/../shared/datasets"
        guard FileManager.default.fileExists(atPath: path + "/cog2026_communes.csv.gz") else {
            Issue.record("real datasets not found at \(path): set RURALMAP_DATASETS or put shared/ beside the checkout")
            throw TestFailure("missing datasets at \(path)")
        }
        return path
    }

    /// `../shared/formats` (fixtures of formats we cannot download).
    static func formats() throws -> String {
        let path = (try datasets() as NSString).deletingLastPathComponent + "/formats"
        guard FileManager.default.fileExists(atPath: path) else {
            throw TestFailure("missing formats fixtures at \(path)")
        }
        return path
    }

    /// A new directory for one test's files, in this test process's own folder, which goes when
    /// the process exits: a whole run writes ~1.6 GB of stores, caches and archives.
    static func temporaryDirectory() throws -> String {
        let dir = processDirectory + "/" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private static let folderPrefix = "ruralmap-test-"

    /// `ruralmap-test-<pid>` in the system's temporary folder. Made on first use, when the folders
    /// of earlier runs whose process is gone (a crash, a kill) are removed; removed at exit.
    /// `RURALMAP_KEEP_TEST_FILES=1` keeps them all, to look at.
    private static let processDirectory: String = {
        let base = NSTemporaryDirectory()
        if ProcessInfo.processInfo.environment["RURALMAP_KEEP_TEST_FILES"] != "1" {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
            for name in names where name.hasPrefix(folderPrefix) {
                let pid = Int32(name.dropFirst(folderPrefix.count))
                let running = pid.map { kill($0, 0) == 0 || errno != ESRCH } ?? false
                if !running { try? FileManager.default.removeItem(atPath: base + name) }
            }
            atexit { try? FileManager.default.removeItem(atPath: TestSupport.folder(of: getpid())) }
        }
        return folder(of: getpid())
    }()

    private static func folder(of pid: Int32) -> String { NSTemporaryDirectory() + folderPrefix + String(pid) }

    static var logger: Logger {
        var l = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        l.logLevel = .critical
        return l
    }

    /// Writes a config with the given `[[source]]` blocks and returns it loaded.
    static func config(
        in dir: String, sources: String, extra: String = "", fetch: String = "retries = 1\nretry_base_delay = 0.05"
    ) throws -> Config {
        let text = """
            [store]
            path = "\(dir)/store.sqlite"
            [fetch]
            cache_dir = "\(dir)/cache"
            archive_dir = "\(dir)/archive"
            \(fetch)
            [geography]
            target_vintage = 2026
            [services]
            categories = "\(packageRoot)/data/categories.csv"
            \(extra)
            \(sources)
            """
        try text.write(toFile: dir + "/ruralmapd.toml", atomically: true, encoding: .utf8)
        return try Config.load(path: dir + "/ruralmapd.toml")
    }

    static func source(_ name: String, _ kind: String, _ url: String, vintage: Int, more: String = "") -> String {
        "[[source]]\nname = \"\(name)\"\nkind = \"\(kind)\"\nurl = \"\(url)\"\nvintage = \(vintage)\n\(more)\n"
    }

    /// Runs an ingestion job and returns its reports by source name.
    static func ingest(
        _ config: Config, store: Store, sources: [String] = [], force: Bool = false
    ) async throws -> [String: SourceReport] {
        let reports = try await MainJob(config: config, store: store, logger: logger).ingest(
            sources: sources, force: force)
        return Dictionary(uniqueKeysWithValues: reports.map { ($0.name, $0) })
    }

    /// Reads a gzip file's lines with the system's gunzip (independent of the code under test).
    static func gunzipLines(_ path: String) throws -> [Substring] {
        try command(["gzip", "-dc", path]).output.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    /// Runs a system command (found on PATH) and returns its status and its stdout and stderr.
    static func command(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = arguments.first == "gzip" ? FileHandle.nullDevice : out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A store of the real national data (COG 2026 and its changes, populations 2021 and 2023,
    /// centroids 2024, BPE 2013 and 2018), ingested and analysed once for every suite that reads
    /// it. No café source: every café status is unknown.
    static let national: Task<(config: Config, store: Store), Error> = Task {
        let ds = try datasets()
        let dir = try temporaryDirectory()
        let config = try TestSupport.config(
            in: dir,
            sources: geographySources(ds)
                + source(
                    "pop2021", "population", "file://\(ds)/pop_legales_2021_communes.csv.gz", vintage: 2021,
                    more: "geography = 2023")
                + source(
                    "pop2023", "population", "file://\(ds)/pop_legales_2023_communes.csv.gz", vintage: 2023,
                    more: "geography = 2025")
                + source("centroids", "centroids", "file://\(ds)/communes_centroides_2024.csv.gz", vintage: 2024)
                + source("bpe2013", "bpe", "file://\(ds)/bpe2013_communes_typequ.csv.gz", vintage: 2013)
                + source("bpe2018", "bpe", "file://\(ds)/bpe2018_ensemble_iris.csv.gz", vintage: 2018))
        let store = try Store(path: config.storePath)
        let result = try await MainJob(config: config, store: store, logger: logger).run()
        guard !result.failed else { throw TestFailure("national ingestion failed: \(result.summary)") }
        return (config, store)
    }

    /// Writes `file` as `dir/bpe.csv`: a store and the config of the real COG 2026 and of that
    /// file as a BPE 2013 source named `bpe`, nothing ingested yet.
    static func bpeStore(file: String, in dir: String) throws -> (Config, Store) {
        try file.write(toFile: dir + "/bpe.csv", atomically: true, encoding: .utf8)
        let config = try config(
            in: dir,
            sources: source("cog", "cog-communes", "file://\(try datasets())/cog2026_communes.csv.gz", vintage: 2026)
                + source("bpe", "bpe", "file://\(dir)/bpe.csv", vintage: 2013))
        return (config, try Store(path: config.storePath))
    }

    /// `[[source]]` blocks for the real COG 2026 and its change table.
    static func geographySources(_ datasets: String) -> String {
        source("cog2026", "cog-communes", "file://\(datasets)/cog2026_communes.csv.gz", vintage: 2026)
            + source("mvt", "cog-mouvements", "file://\(datasets)/cog2026_mouvements_communes.csv.gz", vintage: 2026)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A real HTTP server (Python's http.server with fault routes) on 127.0.0.1, serving `root`.
final class LocalHTTPServer {
    let process = Process()
    let port: Int

    init(root: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", TestSupport.packageRoot + "/Tests/RuralmapTests/Support/test_server.py", "--root", root,
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let p = Int(String(decoding: line, as: UTF8.self)) else { throw TestFailure("test server did not start") }
        port = p
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    deinit {
        // Foundation's waitUntilExit spins without a run loop on Linux: reap the child directly.
        let pid = process.processIdentifier
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}

// Literals in tests read like the data files: "99002", "cafe_bar". A malformed literal fails the test.
extension CommuneCode: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = CommuneCode(value)! }
}

extension ServiceCategory: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}
