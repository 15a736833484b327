import Analysis
import Export
import Foundation
import Hummingbird
import Pipeline
import Store
import Territory

/// `GET /api/v1/candidates` (JSON, CSV or GeoJSON) and `PUT /api/v1/candidates/{code}` (the field
/// team's status and note).
struct CandidatesController {
    let configs: ConfigHolder
    let store: Store

    func addRoutes(to api: RouterGroup<RuralmapRequestContext>, writes: RouterGroup<RuralmapRequestContext>) {
        api.get("candidates", use: list)
        writes.put("candidates/:code", use: annotate)
    }

    /// The body of `PUT /api/v1/candidates/{code}`: a status, a note, or both.
    struct Annotation: Decodable {
        var status: String?
        var note: String?
    }

    @Sendable func list(_ request: Request, context: RuralmapRequestContext) async throws -> Response {
        let q = QueryParameters(request)
        let config = configs.current
        let deps = q.all("dep")
        if let dep = try await store.unknownDepartement(among: deps, targetVintage: config.targetVintage) {
            throw APIError(.badRequest, "unknown département \(dep)")
        }
        let query = CandidateQuery(
            departements: deps, perDepartement: try q.optionalInt("per_dep", range: 1...100_000),
            cafeKnown: try q.bool("cafe_known"), limit: try q.int("limit", default: 100, range: 1...100_000),
            offset: try q.int("offset", default: 0, range: 0...1_000_000), breakdowns: false)
        guard let format = q.string("format").flatMap(ExportFormat.init(rawValue:)) else {
            guard q.string("format") == nil || q.string("format") == "json" else {
                throw APIError(.badRequest, "format must be json, csv or geojson")
            }
            let list = try await store.candidates(targetVintage: config.targetVintage, query).map(CandidateSummary.init)
            return try list.response(from: request, context: context)
        }
        // Written to a file as `export` writes it, then streamed from it: never whole in memory.
        let temp = config.cacheDirectory + "/.api-export-\(UUID().uuidString).\(format.rawValue)"
        defer { unlink(temp) }  // the open handle keeps the bytes until the body is sent
        try await Exporter(store: store, targetVintage: config.targetVintage)
            .write(ExportSettings(format: format, what: .candidates, departements: deps, output: temp))
        let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: temp))
        let size = try file.seekToEnd()
        try file.seek(toOffset: 0)
        let type = format == .csv ? "text/csv; charset=utf-8" : "application/geo+json"
        return Response(
            status: .ok, headers: [.contentType: type],
            body: ResponseBody(contentLength: Int(size)) { writer in
                defer { try? file.close() }
                while let chunk = try file.read(upToCount: 1 << 16), !chunk.isEmpty {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
    }

    @Sendable func annotate(_ request: Request, context: RuralmapRequestContext) async throws -> CommuneReport.Candidate
    {
        let config = configs.current
        let text = try context.parameters.require("code")
        guard let code = CommuneCode(text.uppercased()),
            try await store.commune(code, targetVintage: config.targetVintage) != nil
        else {
            throw APIError(.notFound, "unknown commune \(text)")
        }
        let body = try await request.decode(as: Annotation.self, context: context)
        guard body.status != nil || body.note != nil else { throw APIError(.badRequest, "give status and/or note") }
        let status = try body.status.map { text in
            guard let status = FieldStatus(rawValue: text) else {
                throw APIError(
                    .badRequest, "status must be one of \(FieldStatus.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return status
        }
        try await store.annotate(commune: code, status: status, note: body.note)
        guard
            let candidate = try await CommuneReport.load(code, store: store, targetVintage: config.targetVintage)?
                .candidate
        else { throw APIError(.internalServerError, "the annotation was not saved") }
        return candidate
    }
}

extension CommuneReport.Candidate: ResponseEncodable {}
