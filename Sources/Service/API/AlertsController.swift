import Analysis
import Foundation
import Hummingbird
import Pipeline
import Store

/// `GET /api/v1/alerts` (JSON, newest first) and `GET /api/v1/alerts.atom` (the same selection as
/// an Atom feed a feed reader can follow).
struct AlertsController {
    let configs: ConfigHolder
    let store: Store

    func addRoutes(to api: RouterGroup<RuralmapRequestContext>) {
        api.get("alerts", use: list)
        api.get("alerts.atom", use: feed)
    }

    @Sendable func list(_ request: Request, context: RuralmapRequestContext) async throws -> [AlertSummary] {
        let q = QueryParameters(request)
        return try await store.alerts(
            try await filter(q), limit: try q.int("limit", default: 100, range: 1...10_000),
            offset: try q.int("offset", default: 0, range: 0...1_000_000)
        ).map(AlertSummary.init)
    }

    @Sendable func feed(_ request: Request, context: RuralmapRequestContext) async throws -> Response {
        let q = QueryParameters(request)
        let filter = try await filter(q)
        let alerts = try await store.alerts(filter, limit: try q.int("limit", default: 100, range: 1...1000))
        let config = configs.current
        let base = config.api.publicURL ?? "http://\(request.head.authority ?? config.api.listen)"
        let xml = AlertFeed(
            base: base, selfPath: request.uri.description, store: try await store.identity(), filter: filter
        ).xml(alerts)
        return Response(
            status: .ok, headers: [.contentType: "application/atom+xml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    private func filter(_ q: QueryParameters) async throws -> AlertFilter {
        do {
            return try await AlertSelection.filter(
                departements: q.all("dep"), categories: q.all("category"), since: q.string("since"), store: store,
                targetVintage: configs.current.targetVintage)
        } catch let error as AlertSelection.Invalid {
            throw APIError(.badRequest, error.message)
        }
    }
}

extension AlertSummary: ResponseEncodable {}
