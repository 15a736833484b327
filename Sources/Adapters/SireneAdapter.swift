import Formats
import Geo
import Territory

/// INSEE Sirene `StockEtablissement`: streamed and filtered on the mapped NAF codes while reading.
///
/// Active and closed establishments are kept with their dates (a closed row's `dateDebut` is its
/// closure date), their enseigne or usual name and their address (closed premises are what a
/// programme looks for). Non-diffusible rows (`statutDiffusionEtablissement = P`, fields `[ND]`)
/// keep only their commune, activity and dates: no name, no address, no position. The stock holds
/// no personal name (those are in the legal-unit file, never read).
public struct SireneAdapter: SourceAdapter {
    public let activities: Set<String>

    /// - Parameter activities: NAF rév. 2 codes to keep (`56.30Z`…).
    public init(activities: Set<String>) { self.activities = activities }

    public func read(_ input: ByteReaderInput, spec: SourceSpec, into sink: RecordSink) throws -> Int {
        let csv = try input.csv()
        let h = csv.header
        let siret = try h.require("siret")
        let activity = try h.require("activitePrincipaleEtablissement")
        let code = try h.require("codeCommuneEtablissement")
        let state = try h.require("etatAdministratifEtablissement")
        let nomenclature = h.column("nomenclatureActivitePrincipaleEtablissement")
        let diffusion = h.column("statutDiffusionEtablissement")
        let created = h.column("dateCreationEtablissement")
        let started = h.column("dateDebut")
        let x = h.column("coordonneeLambertAbscisseEtablissement")
        let y = h.column("coordonneeLambertOrdonneeEtablissement")
        let names = [h.column("enseigne1Etablissement"), h.column("denominationUsuelleEtablissement")]
        let address = PostalAddress.Columns(
            number: h.column("numeroVoieEtablissement"), repetition: h.column("indiceRepetitionEtablissement"),
            streetType: h.column("typeVoieEtablissement"), street: h.column("libelleVoieEtablissement"),
            postcode: h.column("codePostalEtablissement"), city: h.column("libelleCommuneEtablissement"))
        let projector = Projector()
        let wanted = activities
        return try csv.forEachRow(input: input, sink: sink) {
            // Cheap filter first: most of the 40M rows are other activities.
            guard let naf = csv.string(activity), wanted.contains(naf) else { return }
            if let n = csv.value(nomenclature), n != "NAFRev2" { return }
            guard let c = csv.value(code).flatMap(CommuneCode.init(_:)) else { return }  // foreign establishment
            let partial = csv.value(diffusion) == "P"
            let closed = csv.value(state) == "F"
            var position: Coordinate?
            if !partial, let px = csv.decimal(x), let py = csv.decimal(y) {
                position = projector.toWGS84(x: px, y: py, epsg: Projector.epsg(forDepartement: c.departement))
            }
            // The SIRET is the site's identity across stocks (the field team's notes hang on it).
            guard let identity = csv.value(siret) else { return try sink.reject(line: csv.line, reason: "no siret") }
            let opened = csv.value(created)
            let closedOn = closed ? csv.value(started) : nil
            // Dates say in which vintages a site was open: one that is not a date is an error of
            // the row, not a site open forever.
            for (column, text) in [("dateCreationEtablissement", opened), ("dateDebut", closedOn)] {
                if let text, DayText.number(text) == nil {
                    return try sink.reject(line: csv.line, reason: "\(column) \"\(text)\" is not a date (YYYY-MM-DD)")
                }
            }
            let site = Site(
                code: c, type: naf, externalID: identity,
                name: partial ? nil : names.lazy.compactMap { csv.value($0) }.first,
                address: partial ? nil : address.line(csv),
                position: position, usableForDistance: position != nil,
                opened: opened, closed: closedOn,
                active: !closed, nonDiffusible: partial)
            try sink.emit(.site(site), line: csv.line)
        }
    }
}
