import Analysis
import ArgumentParser
import Cartography
import Foundation
import Pipeline
import Store
import Territory

/// `ruralmapd sites CODE`: the premises of a commune.
struct Sites: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a commune's cafés, restaurants and groceries, open and closed, and the team's premises.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "INSEE commune code.") var code: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (config, _) = try global.loadOrFail()
        let store = try Store(path: config.storePath, access: .readOnly)
        guard let commune = CommuneCode(code.uppercased()),
            try await store.commune(commune, targetVintage: config.targetVintage) != nil
        else {
            throw CommandFailure("unknown commune \(code) in COG \(config.targetVintage)")
        }
        let sites = try await store.premises(commune: commune).map(SiteSummary.init)
        if json { return print(try ContractEncoding.text(sites)) }
        print(
            TextTable(
                ["id", "category", "label", "address", "opened", "closed", "source", "status", "licence IV", "note"],
                sites.map { s in
                    [
                        s.id, s.category?.rawValue ?? s.kind?.rawValue ?? "", s.label ?? "", s.address ?? "",
                        s.opened ?? "", Self.closing(s), s.source, s.status?.rawValue ?? "", s.licenceIv.rawValue,
                        s.note ?? "",
                    ]
                }
            ).render())
    }

    /// « last café, closed 2016 » for the commune's last café (the map's words); the closure date otherwise.
    static func closing(_ s: SiteSummary) -> String {
        guard s.lastMeetingPlace else { return s.closed ?? (s.open == false ? "closed" : "") }
        return Vocabulary(.en).lastCafe(closed: s.closed)
    }
}

/// `ruralmapd site add|set`: the field team's premises and annotations.
struct SiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site", abstract: "Add premises the field team found, or annotate a site.",
        subcommands: [Add.self, Set.self])

    /// The fields a site command can set.
    struct Fields: ParsableArguments {
        @Option(help: "A name for the premises.") var label: String?
        @Option(help: "Postal address.") var address: String?
        @Option(help: "Latitude (WGS84; with --lon).") var lat: Double?
        @Option(help: "Longitude (WGS84; with --lat).") var lon: Double?
        @Option(help: "What the premises are.") var kind: PremisesKind?
        @Option(name: .customLong("licence-iv"), help: "Whether they hold a licence IV.") var licenceIV: LicenceIV?
        @Option(help: "Where the team stands with them.") var status: SiteStatus?
        @Option(help: "Free text.") var note: String?

        var change: SiteChange {
            SiteChange(
                label: label, address: address, lat: lat, lon: lon, kind: kind, licenceIV: licenceIV, status: status,
                note: note)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add premises the field team found in a commune.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "INSEE commune code.") var code: String
        @OptionGroup var fields: Fields
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (config, _) = try global.loadOrFail()
            guard let commune = CommuneCode(code.uppercased()) else { throw CommandFailure("invalid commune \(code)") }
            let store = try Store(path: config.storePath)
            let added = try await store.addPremises(
                commune: commune, fields.change, targetVintage: config.targetVintage)
            print(json ? try ContractEncoding.text(SiteSummary(added)) : "added \(added.id)")
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change the team's premises, or the status, note and licence IV of a source's site.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The site's id, as `sites` lists it (team-12, sirene-…, osm-node-…, bpe-…).") var id: String
        @OptionGroup var fields: Fields
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (config, _) = try global.loadOrFail()
            guard let site = SiteID(rawValue: id) else { throw CommandFailure("invalid site id \(id)") }
            let store = try Store(path: config.storePath)
            let saved = try await store.updatePremises(site, fields.change)
            print(json ? try ContractEncoding.text(SiteSummary(saved)) : "saved \(saved.id)")
        }
    }
}

extension PremisesKind: ExpressibleByArgument {}
extension LicenceIV: ExpressibleByArgument {}
extension SiteStatus: ExpressibleByArgument {}
