import Analysis
import Cartography
import Export
import Foundation
import Hummingbird
import Logging
import Pipeline
import Store

/// The HTTP API: health, readiness, metrics, candidates, communes, runs, and token-guarded writes.
public struct APIServer: Sendable {
    let configs: ConfigHolder
    let store: Store
    let runner: JobRunner
    let metrics: RequestMetrics
    let logger: Logger
    /// Largest request body accepted.
    static let maxBody = 64 * 1024

    public init(configs: ConfigHolder, store: Store, runner: JobRunner, metrics: RequestMetrics, logger: Logger) {
        self.configs = configs
        self.store = store
        self.runner = runner
        self.metrics = metrics
        self.logger = logger
    }

    /// An API error: its status and a JSON body `{"error": message}`.
    struct APIError: Error {
        let status: HTTPResponse.Status
        let message: String
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(MetricsMiddleware(metrics: metrics))
        router.get("healthz") { _, _ in Self.json(["status": "alive"]) }
        router.get("readyz") { _, _ in
            (try? await store.isMigrated()) == true
                ? Self.json(["status": "ready"]) : Self.json(["status": "not ready"], status: .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            let text = try await metrics.exposition(store: store)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("api/v1/candidates") { request, _ in try await guarded { try await candidates(request) } }
        router.get("api/v1/communes/:code") { _, context in
            try await guarded {
                let code = try context.parameters.require("code")
                let config = configs.current
                guard code.count == 5, code.allSatisfy({ $0.isLetter || $0.isNumber }),
                    let report = try await CommuneReport.load(
                        code.uppercased(), store: store, targetVintage: config.targetVintage)
                else {
                    throw APIError(status: .notFound, message: "unknown commune \(code) in COG \(config.targetVintage)")
                }
                return Self.json(report.json)
            }
        }
        router.get("api/v1/runs") { request, _ in
            try await guarded {
                let q = request.uri.queryParameters
                let limit = try Self.int(q["limit"].map(String.init), name: "limit", default: 50, range: 1...1000)
                let source = q["source"].map(String.init)
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                encoder.outputFormatting = [.sortedKeys]
                let data = try encoder.encode(try await store.runs(source: source, limit: limit))
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        router.post("api/v1/ingest") { request, context in
            try await guarded {
                try authorize(request)
                let body = try await request.body.collect(upTo: Self.maxBody)
                var sources: [String] = []
                if body.readableBytes > 0 {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
                    else {
                        throw APIError(status: .badRequest, message: "body must be a JSON object")
                    }
                    if let source = object["source"] {
                        guard let name = source as? String else {
                            throw APIError(status: .badRequest, message: "source must be a string")
                        }
                        sources = [name]
                    }
                }
                let known = Set(configs.current.sources.map(\.name))
                for name in sources where !known.contains(name) {
                    throw APIError(status: .badRequest, message: "unknown source \(name)")
                }
                Task { [runner, logger] in
                    do { try await runner.ingest(sources) } catch {
                        logger.error("API ingestion failed", metadata: ["error": "\(error)"])
                    }
                }
                return Self.json(
                    ["accepted": true, "sources": sources.isEmpty ? Array(known).sorted() : sources], status: .accepted)
            }
        }
        router.put("api/v1/candidates/:code") { request, context in
            try await guarded {
                try authorize(request)
                let code = try context.parameters.require("code").uppercased()
                let config = configs.current
                guard code.count == 5, try await store.commune(code, targetVintage: config.targetVintage) != nil else {
                    throw APIError(status: .notFound, message: "unknown commune \(code)")
                }
                let body = try await request.body.collect(upTo: Self.maxBody)
                guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
                    throw APIError(status: .badRequest, message: "body must be a JSON object with status and/or note")
                }
                let status = object["status"] as? String
                let note = object["note"] as? String
                guard status != nil || note != nil else {
                    throw APIError(status: .badRequest, message: "give status and/or note")
                }
                if let status, !CandidateRecord.statuses.contains(status) {
                    throw APIError(
                        status: .badRequest,
                        message: "status must be one of \(CandidateRecord.statuses.joined(separator: ", "))")
                }
                try await store.annotate(commune: code, status: status, note: note)
                let report = try await CommuneReport.load(code, store: store, targetVintage: config.targetVintage)
                return Self.json(report?.json["candidate"] ?? NSNull())
            }
        }
        addMapRoutes(to: router)
        return router
    }

    private func candidates(_ request: Request) async throws -> Response {
        let q = request.uri.queryParameters
        let config = configs.current
        let deps = q.getAll("dep").map { String($0) }.filter { !$0.isEmpty }
        if let dep = try await store.unknownDepartement(among: deps, targetVintage: config.targetVintage) {
            throw APIError(status: .badRequest, message: "unknown département \(dep)")
        }
        let limit = try Self.int(q["limit"].map(String.init), name: "limit", default: 100, range: 1...100_000)
        let offset = try Self.int(q["offset"].map(String.init), name: "offset", default: 0, range: 0...1_000_000)
        let perDep = try q["per_dep"].map { try Self.int(String($0), name: "per_dep", default: 0, range: 1...100_000) }
        let cafeKnown: Bool?
        switch q["cafe_known"].map(String.init) {
        case nil: cafeKnown = nil
        case "true": cafeKnown = true
        case "false": cafeKnown = false
        default: throw APIError(status: .badRequest, message: "cafe_known must be true or false")
        }
        switch q["format"].map(String.init) ?? "json" {
        case "json":
            let query = CandidateQuery(
                departements: deps, perDepartement: perDep, cafeKnown: cafeKnown, limit: limit, offset: offset)
            return try Self.encoded(
                try await store.candidates(targetVintage: config.targetVintage, query).map(CandidateSummary.init))
        case let f where ExportFormat(rawValue: f) != nil:
            let format = ExportFormat(rawValue: f)!
            let temp = config.cacheDirectory + "/.api-export-\(UUID().uuidString).\(f)"
            defer { unlink(temp) }
            try await Exporter(store: store, targetVintage: config.targetVintage)
                .write(ExportSettings(format: format, what: .candidates, departements: deps, output: temp))
            let data = try Data(contentsOf: URL(fileURLWithPath: temp))
            let type = format == .csv ? "text/csv; charset=utf-8" : "application/geo+json"
            return Response(
                status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        default:
            throw APIError(status: .badRequest, message: "format must be json, csv or geojson")
        }
    }

    /// Checks `Authorization: Bearer TOKEN` against the token file, in constant time.
    private func authorize(_ request: Request) throws {
        guard let file = configs.current.api.tokenFile,
            let token = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines), !token.isEmpty
        else {
            throw APIError(status: .forbidden, message: "write endpoints are disabled: no [api] token_file configured")
        }
        let header = request.headers[.authorization] ?? ""
        let given = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        guard Self.constantTimeEqual(Array(given.utf8), Array(token.utf8)) else {
            throw APIError(status: .unauthorized, message: "missing or wrong bearer token")
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) { diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
        return diff == 0
    }

    func guarded(_ body: () async throws -> Response) async throws -> Response {
        do { return try await body() } catch let error as APIError {
            return Self.json(["error": error.message], status: error.status)
        } catch let error as MapError {
            return Self.json(
                ["error": error.message], status: error.code == .unknownDepartement ? .badRequest : .notFound)
        } catch let error as HTTPResponseError {
            // Hummingbird's own errors (a body over the cap answers 413).
            return Self.json(["error": "\(error.status.reasonPhrase)"], status: error.status)
        } catch {
            logger.error("API error", metadata: ["error": "\(error)"])
            return Self.json(["error": "internal error"], status: .internalServerError)
        }
    }

    static func int(_ text: String?, name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return fallback }
        guard let n = Int(text), range.contains(n) else {
            throw APIError(
                status: .badRequest, message: "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    static func encoded<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: try jsonText(value))))
    }

    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: jsonText(object))))
    }
}
