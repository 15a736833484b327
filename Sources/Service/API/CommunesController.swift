import Hummingbird
import Pipeline
import Store
import Territory

/// `GET /api/v1/communes/{code}`: the commune's card, as `ruralmapd commune CODE --json`.
struct CommunesController {
    let configs: ConfigHolder
    let store: Store

    func addRoutes(to api: RouterGroup<RuralmapRequestContext>) {
        api.get("communes/:code", use: card)
    }

    @Sendable func card(_ request: Request, context: RuralmapRequestContext) async throws -> CommuneReport {
        let text = try context.parameters.require("code")
        let config = configs.current
        guard let code = CommuneCode(text.uppercased()),
            let report = try await CommuneReport.load(code, store: store, targetVintage: config.targetVintage)
        else {
            throw APIError(.notFound, "unknown commune \(text) in COG \(config.targetVintage)")
        }
        return report
    }
}

extension CommuneReport: ResponseEncodable {}
