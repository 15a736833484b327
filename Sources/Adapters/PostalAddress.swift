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
        guard let street else { return nil }
        // Joined as they come: arrays of parts joined were a twentieth of a national BPE parse.
        var streetPart = Joined(separator: " ")
        streetPart.add(
            number.map { n in
                repetition.map { n + " " + (Self.repetitions[$0.uppercased()] ?? $0.lowercased()) } ?? n
            })
        // Spelt in the street name's case: « RUE DE LA MAIRIE » as Sirene writes, « rue de la Mairie ».
        streetPart.add(
            streetType.map { code in
                Self.streetTypes[code.uppercased()].map { isShouted(street) ? $0.uppercased() : $0 } ?? code
            })
        streetPart.add(street)
        var place = Joined(separator: " ")
        place.add(postcode)
        place.add(city)
        guard !place.text.isEmpty else { return streetPart.text }
        return streetPart.text.isEmpty ? place.text : streetPart.text + ", " + place.text
    }

    /// Parts joined by a separator, as `compactMap { $0 }.joined(separator:)` joins them.
    private struct Joined {
        let separator: String
        private(set) var text = ""
        private var parts = 0

        init(separator: String) { self.separator = separator }

        mutating func add(_ part: String?) {
            guard let part else { return }
            if parts > 0 { text += separator }
            text += part
            parts += 1
        }
    }

    /// Whether `text` is written in capitals: it has no lowercase letter.
    private static func isShouted(_ text: String) -> Bool {
        var ascii = true
        for byte in text.utf8 {
            if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { return false }
            if byte >= 0x80 { ascii = false }
        }
        return ascii || text == text.uppercased()
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
