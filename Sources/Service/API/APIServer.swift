import Hummingbird
import Logging
import Store

/// The HTTP API and the map page: routes grouped by controller under `/api/v1`, the write
/// endpoints behind the bearer token, every error answered as `{"error": …}`, answers
/// gzip-compressed when the client accepts it, revalidated by ETag and kept a while in memory.
public struct APIServer: Sendable {
    let configs: ConfigHolder
    let store: Store
    let queue: JobQueue
    let metrics: RequestMetrics
    let logger: Logger

    public init(configs: ConfigHolder, store: Store, queue: JobQueue, metrics: RequestMetrics, logger: Logger) {
        self.configs = configs
        self.store = store
        self.queue = queue
        self.metrics = metrics
        self.logger = logger
    }

    /// The router: every route, behind the metrics, error, conditional-answer and gzip middlewares.
    /// - Throws: `StoreError` when the store cannot be opened to probe its version.
    public func router() throws -> Router<RuralmapRequestContext> {
        let probe = try store.dataVersionProbe()
        let router = Router(context: RuralmapRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.middlewares.add(MetricsMiddleware(metrics: metrics))
        router.middlewares.add(APIErrorMiddleware())
        router.middlewares.add(ConditionalGetMiddleware(configs: configs, probe: probe, cache: ResponseCache()))
        router.middlewares.add(GzipMiddleware())
        HealthController(store: store, metrics: metrics).addRoutes(to: router)
        let api = router.group("api/v1")
        let writes = api.group().add(middleware: BearerTokenMiddleware(configs: configs))
        CandidatesController(configs: configs, store: store).addRoutes(to: api, writes: writes)
        CommunesController(configs: configs, store: store).addRoutes(to: api)
        SitesController(configs: configs, store: store).addRoutes(to: api, writes: writes)
        JobsController(configs: configs, store: store, queue: queue).addRoutes(to: api, writes: writes)
        AlertsController(configs: configs, store: store).addRoutes(to: api)
        MapController(configs: configs, store: store).addRoutes(to: router, api: api)
        return router
    }
}
