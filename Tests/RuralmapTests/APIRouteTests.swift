import Analysis
import Catalog
import Export
import Formats
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import Pipeline
import Store
import Testing

@testable import Service

/// The API's routes in-process (HummingbirdTesting), on the demo store: the contracts decode as
/// the CLI's, errors are `{"error": …}` with the right status, writes need the token, and a
/// second job is refused while one waits.
@Suite(.serialized) struct APIRouteTests {
    typealias App = Application<RouterResponder<RuralmapRequestContext>>

    /// The demo set up once for this suite's tests.
    static let setup: Task<(app: App, token: String), Error> = Task {
        let demo = try await demoApp()
        return (demo.app, demo.token)
    }

    /// The demo config with a token in a temp dir, its store analysed, and a router over them.
    static func demoApp() async throws -> (app: App, token: String, config: Config, store: Store) {
        let dir = try TestSupport.temporaryDirectory()
        let token = "t0ken-\(UUID().uuidString)"
        try token.write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        var text = try String(contentsOfFile: TestSupport.packageRoot + "/Config/demo.toml", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"../var/demo", with: "\"\(dir)")
            .replacingOccurrences(of: "\"../", with: "\"\(TestSupport.packageRoot)/")
        try (text + "\n[api]\ntoken_file = \"\(dir)/token\"\n").write(
            toFile: dir + "/demo.toml", atomically: true, encoding: .utf8)
        let config = try Config.load(path: dir + "/demo.toml")
        let store = try Store(path: config.storePath)
        _ = try await MainJob(config: config, store: store, logger: TestSupport.logger).run()
        let configs = ConfigHolder(config, path: config.path)
        // The queue is not started: a job submitted waits, which lets the test see a second refused.
        let queue = JobQueue(
            configs: configs, store: store, logger: TestSupport.logger, notifier: SystemdNotifier(environment: [:]))
        let api = APIServer(
            configs: configs, store: store, queue: queue, metrics: RequestMetrics(), logger: TestSupport.logger)
        return (Application(router: try api.router()), token, config, store)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(buffer: response.body))
    }

    struct ErrorBody: Decodable {
        let error: String
    }

    @Test func readsDecodeAsTheContracts() async throws {
        let (app, _) = try await Self.setup.value
        try await app.test(.router) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            #expect(String(buffer: health.body) == #"{"status":"alive"}"#)

            let list = try Self.decode(
                [CandidateSummary].self, try await client.execute(uri: "/api/v1/candidates?dep=99", method: .get))
            // The demo's story (data/demo/README.md): communes without an open café are candidates.
            #expect(Set(list.map(\.code.rawValue)) == ["99002", "99003", "99004", "99007", "99008"])
            #expect(list.compactMap(\.rank) == Array(1...5))
            #expect(!list.isEmpty && list.allSatisfy { $0.cafeKnown })
            let best = try Self.decode(
                [CandidateSummary].self, try await client.execute(uri: "/api/v1/candidates?per_dep=1", method: .get))
            #expect(best.map(\.code) == [list[0].code])

            let card = try Self.decode(
                CommuneReport.self, try await client.execute(uri: "/api/v1/communes/99008", method: .get))
            #expect(card.name == "Val-d'Orvin")
            #expect(card.formerCommunes.map(\.code.rawValue) == ["99008", "99009"])
            #expect(card.flags.first { $0.category == .post }?.flag == .lost)

            let map = try await client.execute(uri: "/api/v1/map?dep=99", method: .get)
            #expect(map.status == .ok)
            #expect(
                String(buffer: map.body).contains(
                    #""field_statuses":["new","contacted","feasibility","opened","rejected"]"#))
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'self'") == true)
        }
    }

    @Test func errorsAreJSONWithTheirStatus() async throws {
        let (app, _) = try await Self.setup.value
        try await app.test(.router) { client in
            for (uri, status) in [
                ("/api/v1/communes/99999", HTTPResponse.Status.notFound), ("/api/v1/communes/..%2F..%2Fetc", .notFound),
                ("/api/v1/candidates?dep=77", .badRequest), ("/api/v1/candidates?per_dep=0", .badRequest),
                ("/api/v1/candidates?cafe_known=maybe", .badRequest), ("/api/v1/candidates?format=xml", .badRequest),
                ("/api/v1/map.svg?lang=de", .badRequest), ("/api/v1/map.svg?dep=77", .badRequest),
            ] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == status, "\(uri)")
                #expect(try Self.decode(ErrorBody.self, response).error.isEmpty == false, "\(uri)")
            }
        }
    }

    @Test func writesNeedTheTokenAndOneJobAtATime() async throws {
        let (app, token) = try await Self.setup.value
        try await app.test(.router) { client in
            let note = ByteBuffer(string: #"{"status":"contacted","note":"mairie ok"}"#)
            let anonymous = try await client.execute(uri: "/api/v1/candidates/99003", method: .put, body: note)
            #expect(anonymous.status == .unauthorized)
            let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
            let saved = try await client.execute(
                uri: "/api/v1/candidates/99003", method: .put, headers: auth, body: note)
            #expect(saved.status == .ok)
            let candidate = try Self.decode(CommuneReport.Candidate.self, saved)
            #expect(candidate.status == .contacted && candidate.note == "mairie ok")
            let bad = ByteBuffer(string: #"{"status":"maybe"}"#)
            let refused = try await client.execute(
                uri: "/api/v1/candidates/99003", method: .put, headers: auth, body: bad)
            #expect(refused.status == .badRequest)
            #expect(
                try Self.decode(ErrorBody.self, refused).error.contains("new, contacted, feasibility, opened, rejected")
            )
            let huge = ByteBuffer(string: "{\"note\":\"" + String(repeating: "x", count: 70_000) + "\"}")
            #expect(
                try await client.execute(uri: "/api/v1/candidates/99003", method: .put, headers: auth, body: huge)
                    .status == .contentTooLarge)

            // The queue is not running here: the first job waits, holding the store's lock; a second is
            // refused, naming the holder (this process).
            let first = try await client.execute(
                uri: "/api/v1/ingest", method: .post, headers: auth, body: ByteBuffer(string: "{}"))
            #expect(first.status == .accepted)
            let second = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: auth)
            #expect(second.status == .conflict)
            #expect(
                try Self.decode(ErrorBody.self, second).error.hasPrefix(
                    "another ingestion is running: pid \(getpid()), started at "))
            let unknown = ByteBuffer(string: #"{"source":"nope"}"#)
            #expect(
                try await client.execute(uri: "/api/v1/ingest", method: .post, headers: auth, body: unknown).status
                    == .badRequest)
        }
    }

    /// ETags revalidate unchanged answers (a 304, the answer not computed again) and change with
    /// a note; gzip when asked, equal to the plain body once inflated (by the system's gzip); the
    /// streamed CSV equals the file `export` writes, byte for byte.
    @Test func etagsGzipAndStreamedExports() async throws {
        let (app, token, config, store) = try await Self.demoApp()
        let dir = (config.path as NSString).deletingLastPathComponent
        try await app.test(.router) { client in
            let first = try await client.execute(uri: "/api/v1/communes/99008", method: .get)
            let tag = try #require(first.headers[.eTag])
            let same = try await client.execute(
                uri: "/api/v1/communes/99008", method: .get, headers: [.ifNoneMatch: tag])
            #expect(same.status == .notModified && same.body.readableBytes == 0 && same.headers[.eTag] == tag)
            #expect(same.headers[.vary] == "Accept-Encoding")
            // Asked again, by another client: the kept answer, byte for byte, under the same tag —
            // not read again: a name changed behind the store's back (a write that moves no data
            // version, which no writer of ours does) does not show.
            let name = try Self.decode(CommuneReport.self, first).name
            try await DatabaseQueue(path: config.storePath).write {
                try $0.execute(sql: "UPDATE commune_row SET name = 'Renommée' WHERE code = '99008'")
            }
            let again = try await client.execute(uri: "/api/v1/communes/99008", method: .get)
            #expect(again.status == .ok && again.headers[.eTag] == tag && again.body == first.body)
            #expect(try Self.decode(CommuneReport.self, again).name == name && name != "Renommée")
            let head = try await client.execute(uri: "/api/v1/communes/99008", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0 && head.headers[.eTag] == tag)
            let other = try await client.execute(uri: "/api/v1/communes/99002", method: .get)
            #expect(other.headers[.eTag] != nil && other.headers[.eTag] != tag)
            let note = try await client.execute(
                uri: "/api/v1/candidates/99008", method: .put,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"note":"mairie rappelle lundi"}"#))
            #expect(note.status == .ok)
            let changed = try await client.execute(
                uri: "/api/v1/communes/99008", method: .get, headers: [.ifNoneMatch: tag])
            #expect(changed.status == .ok && changed.headers[.eTag] != tag)
            #expect(String(buffer: changed.body).contains("mairie rappelle lundi"))
            #expect(try await client.execute(uri: "/api/v1/runs", method: .get).headers[.eTag] == nil)
            // A new category mapping changes the answers (the card's services): and their tags.
            let before = try #require(changed.headers[.eTag])
            try await store.writeCategoryMapping(
                CategoryMapping(rules: Array(CategoryMapping.shipped.rules.dropLast())))
            let remapped = try await client.execute(
                uri: "/api/v1/communes/99008", method: .get, headers: [.ifNoneMatch: before])
            #expect(remapped.status == .ok && remapped.headers[.eTag] != before)
            try await store.writeCategoryMapping(
                CategoryMapping(rules: Array(CategoryMapping.shipped.rules.dropLast())))
            let unchanged = try await client.execute(
                uri: "/api/v1/communes/99008", method: .get,
                headers: [.ifNoneMatch: try #require(remapped.headers[.eTag])])
            #expect(unchanged.status == .notModified)  // the same mapping written again changes nothing

            // Every filter of the list at once, against the list unfiltered (the demo is one département).
            let all = try Self.decode(
                [CandidateSummary].self, try await client.execute(uri: "/api/v1/candidates", method: .get))
            let page = try Self.decode(
                [CandidateSummary].self,
                try await client.execute(
                    uri: "/api/v1/candidates?dep=99&cafe_known=true&per_dep=3&offset=1&limit=2", method: .get))
            #expect(all.count >= 3 && page.map(\.code) == all[1..<3].map(\.code))

            let plain = try await client.execute(uri: "/api/v1/map.svg?dep=99", method: .get)
            let zipped = try await client.execute(
                uri: "/api/v1/map.svg?dep=99", method: .get, headers: [.acceptEncoding: "br, gzip;q=0.8"])
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(zipped.headers[.contentEncoding] == "gzip" && zipped.headers[.vary] == "Accept-Encoding")
            #expect(zipped.body.readableBytes < plain.body.readableBytes)
            try Data(buffer: zipped.body).write(to: URL(fileURLWithPath: dir + "/map.svg.gz"))
            let inflated = try TestSupport.command(["gzip", "-dc", dir + "/map.svg.gz"])
            #expect(inflated.status == 0 && inflated.output == String(buffer: plain.body))
            // Kept apart: the compressed answer again is the same compressed bytes, the plain one plain.
            let zippedAgain = try await client.execute(
                uri: "/api/v1/map.svg?dep=99", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(zippedAgain.headers[.contentEncoding] == "gzip" && zippedAgain.body == zipped.body)
            let plainAgain = try await client.execute(uri: "/api/v1/map.svg?dep=99", method: .get)
            #expect(plainAgain.headers[.contentEncoding] == nil && plainAgain.body == plain.body)
            let refused = try await client.execute(
                uri: "/api/v1/map.svg?dep=99", method: .get, headers: [.acceptEncoding: "gzip;q=0"])
            #expect(refused.headers[.contentEncoding] == nil)

            let streamed = try await client.execute(uri: "/api/v1/candidates?dep=99&format=csv", method: .get)
            #expect(streamed.status == .ok)
            let file = dir + "/candidates.csv"
            _ = try await Exporter(store: store, targetVintage: config.targetVintage)
                .write(ExportSettings(format: .csv, what: .candidates, departements: ["99"], output: file))
            let written = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(!written.isEmpty && Data(buffer: streamed.body) == written)
        }
    }

    /// The map's JSON, written by hand, is byte for byte what the contract encoder writes of the
    /// same data, a note with quotes, a slash, accents and a line break included.
    @Test func mapJSONIsTheContractEncoders() async throws {
        let (app, token, _, _) = try await Self.demoApp()
        try await app.test(.router) { client in
            let note = #"{"note":"l'école « ouverte » / \"mardi\"\nà 9 h"}"#
            let saved = try await client.execute(
                uri: "/api/v1/candidates/99008", method: .put,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: note))
            #expect(saved.status == .ok)
            for uri in ["/api/v1/map", "/api/v1/map?what=losses"] {
                let answer = try await client.execute(uri: uri, method: .get)
                let data = try ContractEncoding.decoder.decode(
                    MapController.MapData.self, from: Data(buffer: answer.body))
                #expect(data.communes.contains { $0.note == "l'école « ouverte » / \"mardi\"\nà 9 h" })
                let encoded = try ContractEncoding.encoder(indented: false).encode(data)
                #expect(Data(buffer: answer.body) == encoded, "\(uri)")
            }
            // Written in parts, joined in order: none, fewer or more communes than parts, a part
            // per core of a national map's size.
            let demo = try ContractEncoding.decoder.decode(
                MapController.MapData.self,
                from: Data(buffer: try await client.execute(uri: "/api/v1/map", method: .get).body))
            for size in [0, 2, 2_500] {
                var data = demo
                data.communes = (0..<size).map { demo.communes[$0 % demo.communes.count] }
                let encoded = try ContractEncoding.encoder(indented: false).encode(data)
                for parts in [nil, 1, 2, 3] as [Int?] {
                    #expect(
                        Data(buffer: await data.json(parts: parts)) == encoded,
                        "\(size) in \(String(describing: parts))")
                }
            }
        }
    }

    /// The answer cache: an answer is found under its key only, one larger than the entry limit is
    /// not kept, replacing an answer counts its size once, a spent budget starts the cache again,
    /// a new data version forgets the older answers, and an answer made at an older version than
    /// the current one is not kept.
    @Test func responseCacheBounds() {
        let cache = ResponseCache(budget: 100, entryLimit: 60)
        func entry(_ size: Int) -> ResponseCache.Entry {
            .init(headers: [.contentType: "application/json"], body: ByteBuffer(repeating: 0x20, count: size))
        }
        let a = ResponseCache.Key(tag: "a", gzip: false)
        let b = ResponseCache.Key(tag: "b", gzip: false)
        let c = ResponseCache.Key(tag: "c", gzip: false)
        #expect(cache.entry(for: a, version: "1") == nil)
        cache.keep(entry(40), for: a, version: "1")
        #expect(cache.entry(for: a, version: "1")?.body.readableBytes == 40)
        #expect(cache.entry(for: ResponseCache.Key(tag: "a", gzip: true), version: "1") == nil)
        cache.keep(entry(61), for: b, version: "1")
        #expect(cache.entry(for: b, version: "1") == nil)
        cache.keep(entry(50), for: b, version: "1")
        cache.keep(entry(50), for: b, version: "1")  // 40 + 50 kept, not 140 counted
        #expect(cache.entry(for: a, version: "1") != nil && cache.entry(for: b, version: "1") != nil)
        cache.keep(entry(20), for: c, version: "1")  // 110 > 100: starts again with c only
        #expect(cache.entry(for: a, version: "1") == nil && cache.entry(for: b, version: "1") == nil)
        #expect(cache.entry(for: c, version: "1") != nil)
        #expect(cache.entry(for: c, version: "2") == nil)  // version 2 seen: version 1's answers go
        cache.keep(entry(10), for: a, version: "1")  // made before the write, finished after
        #expect(cache.entry(for: a, version: "2") == nil)
        cache.keep(entry(10), for: a, version: "2")
        #expect(cache.entry(for: a, version: "2")?.body.readableBytes == 10)
    }

    /// The gzip encoder over several writes of incompressible bytes (more than its 64 KiB output
    /// buffer), inflated back by the system's gzip.
    @Test func gzipEncoderRoundTripsLargeInput() throws {
        var generator = SplitMix64(seed: 7)
        let input = (0..<300_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let encoder = try GzipEncoder()
        var output: [UInt8] = []
        for chunk in stride(from: 0, to: input.count, by: 45_000) {
            output += try input[chunk..<min(chunk + 45_000, input.count)].withUnsafeBytes { try encoder.compress($0) }
        }
        output += try encoder.finish()
        let dir = try TestSupport.temporaryDirectory()
        try Data(output).write(to: URL(fileURLWithPath: dir + "/random.gz"))
        let gunzip = try TestSupport.command(["gzip", "-d", dir + "/random.gz"])
        let inflated = try Data(contentsOf: URL(fileURLWithPath: dir + "/random"))
        #expect(gunzip.status == 0 && [UInt8](inflated) == input)
    }
}
