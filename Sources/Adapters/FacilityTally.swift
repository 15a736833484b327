import Catalog
import Formats
import Territory

/// Reads the commune and the type of a BPE file's rows from their bytes, and adds up the
/// facilities by commune and type, handed to the sink in one record per commune, sorted by type,
/// when the file moves on to another commune. In a point file, most rows are only counted (of
/// types no category keeps as points), the others are also sites of their own; in a count file
/// (NB_EQUIP, by commune or by IRIS), every row adds its count.
///
/// A row then costs a comparison of its commune's bytes with the previous row's and the number
/// of its type's code read from its four bytes. Decoding both as strings, checking them and
/// hashing them twice, once here and once in the sink's counts, was most of a national BPE
/// parse.
struct FacilityTally {
    /// A TYPEQU met in the file.
    struct FacilityType {
        let code: String
        /// The code's number when it is a capital letter and three digits (see `slotsByNumber`),
        /// which orders such codes as their text does.
        fileprivate let number: Int?
        /// Whether the category mapping keeps facilities of this type as points.
        let isPoint: Bool
        /// Its place in ``FacilityTally``'s counts.
        fileprivate let slot: Int
    }

    private let pointTypes: Set<String>?
    /// The slots of the types met, by their code's number (``number(_:)``: TYPEQU codes are a
    /// capital letter and three digits), -1 for a code not met yet; other types by their field's
    /// value. A dictionary keyed by the code's bytes was a twentieth of a national BPE parse.
    private var slotsByNumber = [Int32](repeating: -1, count: 26_000)
    private var typesByValue: [String: FacilityType] = [:]
    private var types: [FacilityType] = []
    /// The previous row's commune field and the code read from it: the files list each commune's
    /// rows together.
    private var communeBytes: [UInt8] = []
    private var communeCode: CommuneCode?
    /// The commune counted, and its counts by type slot (`touched`: the slots counted, a count of
    /// zero included, as a count file may state one).
    private var commune: CommuneCode?
    private var counts: [Int] = []
    private var isTouched: [Bool] = []
    private var touched: [Int] = []
    /// The file's rows the commune's record stands for: its rows that are no site of their own.
    private var rows = 0

    /// A tally keeping as points the types in `pointTypes` (nil: all of them; empty for a count
    /// file, which has no point).
    init(pointTypes: Set<String>?) { self.pointTypes = pointTypes }

    /// The commune code of field `column` of the row (nil when it is not one).
    mutating func commune(_ csv: CSVReader, column: Int) -> CommuneCode? {
        let changed = csv.withBytes(column) { bytes in
            guard !bytes.elementsEqual(communeBytes) else { return false }
            communeBytes = Array(bytes)
            return true
        }
        if changed { communeCode = csv.value(column).flatMap(CommuneCode.init(_:)) }
        return communeCode
    }

    /// The type of field `column` of the row (nil when it is not a four-character code).
    mutating func type(_ csv: CSVReader, column: Int) -> FacilityType? {
        let number = csv.withBytes(column) { Self.number($0) }
        if let number, slotsByNumber[number] >= 0 { return types[Int(slotsByNumber[number])] }
        guard let value = csv.value(column), value.count == 4 else { return nil }
        let type: FacilityType
        if let known = typesByValue[value] {
            type = known
        } else {
            type = FacilityType(
                code: value, number: Self.number(value.utf8), isPoint: pointTypes?.contains(value) ?? true,
                slot: types.count)
            types.append(type)
            counts.append(0)
            isTouched.append(false)
            typesByValue[value] = type
        }
        // A code first met written otherwise (` A504`) is found by its number once met as such.
        if let number { slotsByNumber[number] = Int32(type.slot) }
        return type
    }

    /// The number of a code of a capital letter and three digits (`A504`: 504, `B201`: 1201).
    private static func number(_ code: some Collection<UInt8>) -> Int? {
        guard code.count == 4, let letter = code.first, letter &- UInt8(ascii: "A") < 26 else { return nil }
        var number = Int(letter &- UInt8(ascii: "A"))
        for digit in code.dropFirst() {
            guard digit &- UInt8(ascii: "0") < 10 else { return nil }
            number = number * 10 + Int(digit &- UInt8(ascii: "0"))
        }
        return number
    }

    /// Hands the counts of the commune counted so far to `sink` when `code` is another commune.
    mutating func move(to code: CommuneCode, sink: RecordSink, line: Int) throws {
        guard code != commune else { return }
        try flush(into: sink, line: line)
        commune = code
    }

    /// Counts `amount` facilities of `type` in the current commune, a row of the file: a point's
    /// too (the sink counts no site), though the point is a record of its own.
    mutating func count(_ type: FacilityType, amount: Int = 1) {
        if !isTouched[type.slot] {
            isTouched[type.slot] = true
            touched.append(type.slot)
        }
        counts[type.slot] += amount
        if !type.isPoint { rows += 1 }
    }

    /// Hands the current commune's counts to `sink`, sorted by type, in one record. The record
    /// stands for the file's rows that were only counted: each point was a record of its own.
    mutating func flush(into sink: RecordSink, line: Int) throws {
        guard let commune, !touched.isEmpty else { return }
        // By number where both codes have one (the order of their text), else by text.
        let types = self.types
        touched.sort {
            if let a = types[$0].number, let b = types[$1].number { return a < b }
            return types[$0].code < types[$1].code
        }
        var counted: [TypeCount] = []
        counted.reserveCapacity(touched.count)
        for slot in touched {
            counted.append(TypeCount(type: types[slot].code, count: counts[slot]))
            counts[slot] = 0
            isTouched[slot] = false
        }
        touched.removeAll(keepingCapacity: true)
        let rows = self.rows
        self.rows = 0
        try sink.emit(.facilityCounts(code: commune, counts: counted), line: line, rows: rows)
    }
}
