import Formats

/// A postal address on one line (« 12 bis route de Guéret, 23000 Sainte-Feyre »), from the fields
/// Sirene, BPE and OpenStreetMap give separately.
enum PostalAddress {
    /// The parts of an address, in the order of its line.
    fileprivate enum Part: Int { case number, repetition, streetType, street, postcode, city }

    /// Where an address's parts are read from: a CSV row's fields, or strings.
    fileprivate protocol Parts {
        /// Appends `part`'s text to `text` and returns true; returns false, appending nothing,
        /// when there is none.
        func append(_ part: Part, to text: inout [UInt8]) -> Bool
        /// `part`'s text (a code: a repetition, a street type), nil when there is none.
        func string(_ part: Part) -> String?
    }

    /// Where a CSV file keeps an address's parts (Sirene and BPE name them differently and fill
    /// them alike).
    struct Columns {
        let number, repetition, streetType, street, postcode, city: Int?

        /// The current row's address (see ``PostalAddress/line(number:repetition:streetType:street:postcode:city:)``).
        func line(_ csv: CSVReader) -> String? {
            assert(csv.isWellEncoded, "a row is read once checked well encoded")
            return PostalAddress.line(Row(columns: self, csv: csv))
        }

        fileprivate subscript(part: Part) -> Int? {
            switch part {
            case .number: number
            case .repetition: repetition
            case .streetType: streetType
            case .street: street
            case .postcode: postcode
            case .city: city
            }
        }

        /// The parts of the current row. A UTF-8 file's fields are taken as their bytes (the row
        /// is checked well encoded before it is read, and its fields end at ASCII separators): the
        /// line is one string made at the end. Made of a string per field, joined, it was a
        /// twentieth of a national BPE parse.
        private struct Row: Parts {
            let columns: Columns
            let csv: CSVReader

            func append(_ part: Part, to text: inout [UInt8]) -> Bool {
                guard csv.encoding == .utf8 else {
                    guard let value = csv.value(columns[part]) else { return false }
                    text.append(contentsOf: value.utf8)
                    return true
                }
                return csv.appendValue(columns[part], to: &text)
            }

            func string(_ part: Part) -> String? { csv.value(columns[part]) }
        }
    }

    /// The line, or nil without a street or place name (a postcode and a town alone say only the
    /// commune, which is known anyway). Street-type codes (`RTE`, `PL`…) are spelt out.
    static func line(
        number: String?, repetition: String? = nil, streetType: String? = nil, street: String?,
        postcode: String?, city: String? = nil
    ) -> String? {
        line(Strings(texts: [number, repetition, streetType, street, postcode, city]))
    }

    /// Parts given as strings, by ``Part`` raw value.
    private struct Strings: Parts {
        let texts: [String?]

        func append(_ part: Part, to text: inout [UInt8]) -> Bool {
            guard let value = texts[part.rawValue] else { return false }
            text.append(contentsOf: value.utf8)
            return true
        }

        func string(_ part: Part) -> String? { texts[part.rawValue] }
    }

    /// The line of `parts`: « 12 bis route de Guéret, 23000 Sainte-Feyre ».
    private static func line(_ parts: some Parts) -> String? {
        var street: [UInt8] = []
        guard parts.append(.street, to: &street) else { return nil }
        var streetPart = Joined()
        streetPart.add { text in
            guard parts.append(.number, to: &text) else { return false }
            if let code = parts.string(.repetition) { text.append(contentsOf: (" " + repetitionWord(code)).utf8) }
            return true
        }
        if let code = parts.string(.streetType) {
            streetPart.add(streetTypeWord(code) { street.withUnsafeBufferPointer(isShouted) }.utf8)
        }
        streetPart.add(street)
        var place = Joined(after: streetPart.isEmpty ? [] : streetPart.text + ", ".utf8)
        place.add { parts.append(.postcode, to: &$0) }
        place.add { parts.append(.city, to: &$0) }
        return String(decoding: place.isEmpty ? streetPart.text : place.text, as: UTF8.self)
    }

    /// Parts joined by spaces after a prefix, as `compactMap { $0 }.joined(separator: " ")` joins
    /// them. Joined as they come: arrays of parts joined were a twentieth of a national BPE parse.
    private struct Joined {
        private(set) var text: [UInt8]
        private let start: Int
        private var parts = 0

        init(after prefix: [UInt8] = []) {
            text = prefix
            text.reserveCapacity(prefix.count + 96)
            start = prefix.count
        }

        /// Whether nothing was written after the prefix (a part may be empty).
        var isEmpty: Bool { text.count == start }

        /// Adds the part `write` appends, if it appends one (it returns whether).
        mutating func add(_ write: (inout [UInt8]) -> Bool) {
            let mark = text.count
            if parts > 0 { text.append(UInt8(ascii: " ")) }
            if write(&text) { parts += 1 } else { text.removeSubrange(mark...) }
        }

        mutating func add(_ part: some Collection<UInt8>) {
            add { text in
                text.append(contentsOf: part)
                return true
            }
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
