import Formats

/// A postal address on one line (« 12 bis route de Guéret, 23000 Sainte-Feyre »), from the fields
/// Sirene, BPE and OpenStreetMap give separately.
enum PostalAddress {
    /// Where a CSV file keeps an address's parts (Sirene and BPE name them differently and fill
    /// them alike).
    struct Columns {
        let number, repetition, streetType, street, postcode, city: Int?

        /// The current row's address.
        func line(_ csv: CSVReader) -> String? {
            PostalAddress.line(
                number: csv.value(number), repetition: csv.value(repetition), streetType: csv.value(streetType),
                street: csv.value(street), postcode: csv.value(postcode), city: csv.value(city))
        }
    }

    /// The line, or nil without a street or place name (a postcode and a town alone say only the
    /// commune, which is known anyway). Street-type codes (`RTE`, `PL`…) are spelt out.
    static func line(
        number: String?, repetition: String? = nil, streetType: String? = nil, street: String?,
        postcode: String?, city: String? = nil
    ) -> String? {
        let repetitionWord = repetition.map { Self.repetitions[$0.uppercased()] ?? $0.lowercased() }
        // Spelt in the street name's case: « RUE DE LA MAIRIE » as Sirene writes, « rue de la Mairie ».
        let shouting = street.map { $0 == $0.uppercased() } ?? false
        let type = streetType.map { code in
            Self.streetTypes[code.uppercased()].map { shouting ? $0.uppercased() : $0 } ?? code
        }
        let streetPart = [number.map { n in repetitionWord.map { "\(n) \($0)" } ?? n }, type, street]
            .compactMap { $0 }.joined(separator: " ")
        guard street != nil else { return nil }
        let place = [postcode, city].compactMap { $0 }.joined(separator: " ")
        return [streetPart, place].filter { !$0.isEmpty }.joined(separator: ", ")
    }

    /// Sirene and BPE `indiceRepetition` codes.
    static let repetitions = ["B": "bis", "T": "ter", "Q": "quater", "C": "quinquies"]

    /// Sirene and BPE street-type codes (`typeVoieEtablissement`, `TYPVOIE`), as INSEE lists them.
    static let streetTypes = [
        "ALL": "allée", "AV": "avenue", "BD": "boulevard", "CAR": "carrefour", "CHE": "chemin",
        "CHS": "chaussée", "CITE": "cité", "COR": "corniche", "CRS": "cours", "DOM": "domaine",
        "DSC": "descente", "ECA": "écart", "ESP": "esplanade", "FG": "faubourg", "GR": "grande rue",
        "HAM": "hameau", "HLE": "halle", "IMP": "impasse", "LD": "lieu-dit", "LOT": "lotissement",
        "MAR": "marché", "MTE": "montée", "PASS": "passage", "PL": "place", "PLN": "plaine",
        "PLT": "plateau", "PRO": "promenade", "PRV": "parvis", "QUA": "quartier", "QUAI": "quai",
        "RES": "résidence", "RLE": "ruelle", "ROC": "rocade", "RPT": "rond-point", "RTE": "route",
        "RUE": "rue", "SEN": "sentier", "SQ": "square", "TPL": "terre-plein", "TRA": "traverse",
        "VLA": "villa", "VLGE": "village",
    ]
}
