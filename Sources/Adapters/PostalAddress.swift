import Formats

/// A postal address on one line (« 12 bis route de Guéret, 23000 Sainte-Feyre »), from the fields
/// Sirene, BPE and OpenStreetMap give separately.
enum PostalAddress {
    /// Where a CSV file keeps an address's parts (Sirene and BPE name them differently and fill
    /// them alike).
    struct Columns {
        let number, repetition, streetType, street, postcode, city: Int?

        /// The current row's address, as ``PostalAddress/line(number:repetition:streetType:street:postcode:city:)``
        /// writes it.
        ///
        /// A UTF-8 file's row is checked well encoded before it is read, and its fields end at
        /// ASCII separators: the line is put together from the fields' bytes, one string made at
        /// the end. Made of a string per field, joined, it was a twentieth of a national BPE parse.
        func line(_ csv: CSVReader) -> String? {
            assert(csv.isWellEncoded, "a row is read once checked well encoded")
            guard csv.encoding == .utf8 else {
                return PostalAddress.line(
                    number: csv.value(number), repetition: csv.value(repetition), streetType: csv.value(streetType),
                    street: csv.value(street), postcode: csv.value(postcode), city: csv.value(city))
            }
            guard let street, csv.value(street, is: { !$0.isEmpty }) else { return nil }
            var text: [UInt8] = []
            text.reserveCapacity(128)
            func append(_ word: String) {
                if !text.isEmpty { text.append(UInt8(ascii: " ")) }
                text.append(contentsOf: word.utf8)
            }
            if csv.appendValue(number, to: &text), let code = csv.value(repetition) {
                append(PostalAddress.repetitionWord(code))
            }
            if let code = csv.value(streetType) {
                append(
                    PostalAddress.streetTypeWord(code) { csv.value(street, is: PostalAddress.isShouted) })
            }
            if !text.isEmpty { text.append(UInt8(ascii: " ")) }
            _ = csv.appendValue(street, to: &text)
            let streetEnd = text.count
            text.append(contentsOf: ", ".utf8)
            let placeStart = text.count
            if csv.appendValue(postcode, to: &text) { text.append(UInt8(ascii: " ")) }
            if !csv.appendValue(city, to: &text) && text.count > placeStart { text.removeLast() }
            if text.count == placeStart { text.removeLast(text.count - streetEnd) }
            return String(decoding: text, as: UTF8.self)
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
        streetPart.add(number.map { n in repetition.map { n + " " + repetitionWord($0) } ?? n })
        streetPart.add(
            streetType.map { code in
                streetTypeWord(code) {
                    var street = street
                    return street.withUTF8(isShouted)
                }
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

    /// A repetition code spelt out (`B`: « bis »), or as given, in lowercase.
    private static func repetitionWord(_ code: String) -> String {
        repetitions[code.uppercased()] ?? code.lowercased()
    }

    /// A street-type code spelt out (`RTE`: « route »), in the street name's case (`isShouted`):
    /// « RUE DE LA MAIRIE » as Sirene writes, « rue de la Mairie »; an unknown code as given.
    private static func streetTypeWord(_ code: String, isShouted: () -> Bool) -> String {
        streetTypes[code.uppercased()].map { isShouted() ? $0.uppercased() : $0 } ?? code
    }

    /// Whether UTF-8 `text` is written in capitals: it has no lowercase letter.
    private static func isShouted(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var ascii = true
        for byte in text {
            if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { return false }
            if byte >= 0x80 { ascii = false }
        }
        guard !ascii else { return true }
        let decoded = String(decoding: text, as: UTF8.self)
        return decoded == decoded.uppercased()
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
