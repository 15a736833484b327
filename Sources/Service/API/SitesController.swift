import Analysis
import Foundation
import Hummingbird
import Pipeline
import Store
import Territory

/// A commune's premises (`GET /api/v1/communes/{code}/sites`), premises the field team adds
/// (`POST /api/v1/communes/{code}/sites`) and its changes to a site (`PUT /api/v1/sites/{id}`).
struct SitesController {
    let configs: ConfigHolder
    let store: Store

    func addRoutes(to api: RouterGroup<RuralmapRequestContext>, writes: RouterGroup<RuralmapRequestContext>) {
        api.get("communes/:code/sites", use: list)
        writes.post("communes/:code/sites", use: add)
        writes.put("sites/:id", use: update)
    }

    /// The body of a POST or PUT: the fields to set (see ``SiteChange``); closed sets as text, so
    /// that a wrong value is answered with the values allowed.
    struct Body: Decodable {
        var label: String?
        var address: String?
        var lat: Double?
        var lon: Double?
        var kind: String?
        var licenceIV: String?
        var status: String?
        var note: String?

        enum CodingKeys: String, CodingKey {
            case label, address, lat, lon, kind, status, note
            case licenceIV = "licence_iv"
        }

        func change() throws -> SiteChange {
            SiteChange(
                label: label, address: address, lat: lat, lon: lon, kind: try Self.parse(kind, "kind"),
                licenceIV: try Self.parse(licenceIV, "licence_iv"), status: try Self.parse(status, "status"),
                note: note)
        }

        static func parse<T: RawRepresentable & CaseIterable>(_ text: String?, _ name: String) throws -> T?
        where T.RawValue == String {
            guard let text else { return nil }
            guard let value = T(rawValue: text) else {
                let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError(.badRequest, "\(name) must be one of \(allowed)")
            }
            return value
        }
    }

    @Sendable func list(_ request: Request, context: RuralmapRequestContext) async throws -> [SiteSummary] {
        try await store.premises(commune: try commune(context)).map(SiteSummary.init)
    }

    @Sendable func add(_ request: Request, context: RuralmapRequestContext) async throws -> Response {
        // The store checks that the commune exists, in the transaction that adds the premises.
        let commune = try code(context)
        let change = try await request.decode(as: Body.self, context: context).change()
        let added = try await store.addPremises(
            commune: commune, change, targetVintage: configs.current.targetVintage)
        var response = try SiteSummary(added).response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func update(_ request: Request, context: RuralmapRequestContext) async throws -> SiteSummary {
        let text = try context.parameters.require("id")
        guard let id = SiteID(rawValue: text) else { throw APIError(.notFound, "no site \(text)") }
        let change = try await request.decode(as: Body.self, context: context).change()
        return SiteSummary(try await store.updatePremises(id, change))
    }

    /// The commune code of the path (a malformed one is no commune: 404).
    private func code(_ context: RuralmapRequestContext) throws -> CommuneCode {
        let text = try context.parameters.require("code")
        guard let code = CommuneCode(text.uppercased()) else {
            throw APIError(.notFound, "unknown commune \(text) in COG \(configs.current.targetVintage)")
        }
        return code
    }

    /// The commune of the path, when the target geography has it.
    private func commune(_ context: RuralmapRequestContext) async throws -> CommuneCode {
        let code = try code(context)
        let vintage = configs.current.targetVintage
        guard try await store.commune(code, targetVintage: vintage) != nil else {
            throw APIError(.notFound, "unknown commune \(code) in COG \(vintage)")
        }
        return code
    }
}

extension SiteSummary: ResponseEncodable {}
