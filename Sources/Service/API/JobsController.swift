import Hummingbird
import Pipeline
import Store

/// `GET /api/v1/runs` (ingestion runs, newest first) and `POST /api/v1/ingest` (start a job).
struct JobsController {
    let configs: ConfigHolder
    let store: Store
    let queue: JobQueue

    func addRoutes(to api: RouterGroup<RuralmapRequestContext>, writes: RouterGroup<RuralmapRequestContext>) {
        api.get("runs", use: runs)
        writes.post("ingest", use: ingest)
    }

    @Sendable func runs(_ request: Request, context: RuralmapRequestContext) async throws -> [RunRecord] {
        let q = QueryParameters(request)
        return try await store.runs(source: q.string("source"), limit: try q.int("limit", default: 50, range: 1...1000))
    }

    /// The body of `POST /api/v1/ingest`: one source, or none for all.
    struct IngestRequest: Decodable {
        var source: String?
    }

    /// The answer: the job was accepted, for these sources.
    struct Accepted: ResponseEncodable {
        var accepted = true
        var sources: [String]
    }

    @Sendable func ingest(_ request: Request, context: RuralmapRequestContext) async throws -> EditedResponse<Accepted>
    {
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        // An empty body means every source.
        let source =
            body.readableBytes == 0 ? nil : try await request.decode(as: IngestRequest.self, context: context).source
        let known = configs.current.sources.map(\.name)
        if let source, !known.contains(source) { throw APIError(.badRequest, "unknown source \(source)") }
        try queue.start(source.map { [$0] } ?? [])
        return EditedResponse(status: .accepted, response: Accepted(sources: source.map { [$0] } ?? known.sorted()))
    }
}

extension RunRecord: ResponseEncodable {}
