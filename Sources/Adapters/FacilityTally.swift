import Formats
import Territory

/// Reads the commune and the type of a BPE point file's rows from their bytes, and adds up the
/// facilities by commune and type, handed to the sink as one count per type when the file moves
/// on to another commune. Most rows are only counted (of types no category keeps as points);
/// the others are also sites of their own.
///
/// A row then costs a comparison of its commune's bytes with the previous row's and a lookup of
/// its type's four bytes. Decoding both as strings, checking them and hashing them twice, once
/// here and once in the sink's counts, was most of a national BPE parse.
struct FacilityTally {
    /// A TYPEQU met in the file.
    struct FacilityType {
        let code: String
        /// Whether the category mapping keeps facilities of this type as points.
        let isPoint: Bool
        /// Its place in ``FacilityTally``'s counts.
        fileprivate let slot: Int
    }

    private let pointTypes: Set<String>?
    /// The slots of the types met, by their code's number when it is a capital letter and three
    /// digits as TYPEQU codes are (`A504`: 504, `B201`: 1201), -1 for a code not met yet; other
    /// types by their field's value. A dictionary keyed by the code's bytes was a twentieth of a
    /// national BPE parse.
    private var slotsByNumber = [Int32](repeating: -1, count: 26_000)
    private var typesByValue: [String: FacilityType] = [:]
    private var types: [FacilityType] = []
    /// Each slot's place among the types met in the order of their codes: a commune's counts are
    /// handed over sorted by type.
    private var ranks: [Int] = []
    /// The previous row's commune field and the code read from it: the files list each commune's
    /// rows together.
    private var communeBytes: [UInt8] = []
    private var communeCode: CommuneCode?
    /// The commune counted, and its counts by type slot (`touched`: the slots not zero).
    private var commune: CommuneCode?
    private var counts: [Int] = []
    private var touched: [Int] = []

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
        let number = csv.withBytes(column) { b -> Int? in
            guard b.count == 4, b[0] &- UInt8(ascii: "A") < 26 else { return nil }
            var number = Int(b[0] &- UInt8(ascii: "A"))
            for digit in b[1...] {
                guard digit &- UInt8(ascii: "0") < 10 else { return nil }
                number = number * 10 + Int(digit &- UInt8(ascii: "0"))
            }
            return number
        }
        if let number, slotsByNumber[number] >= 0 { return types[Int(slotsByNumber[number])] }
        guard let value = csv.value(column), value.count == 4 else { return nil }
        if let known = typesByValue[value] { return known }
        let new = FacilityType(code: value, isPoint: pointTypes?.contains(value) ?? true, slot: types.count)
        types.append(new)
        counts.append(0)
        typesByValue[value] = new
        if let number { slotsByNumber[number] = Int32(new.slot) }
        ranks = Array(repeating: 0, count: types.count)
        for (rank, slot) in types.indices.sorted(by: { types[$0].code < types[$1].code }).enumerated() {
            ranks[slot] = rank
        }
        return new
    }

    /// Hands the counts of the commune counted so far to `sink` when `code` is another commune.
    mutating func move(to code: CommuneCode, sink: RecordSink, line: Int) throws {
        guard code != commune else { return }
        try flush(into: sink, line: line)
        commune = code
    }

    /// Counts one facility of `type` in the current commune (a point too: the sink counts no site).
    mutating func count(_ type: FacilityType) {
        if counts[type.slot] == 0 { touched.append(type.slot) }
        counts[type.slot] += 1
    }

    /// Hands the current commune's counts to `sink`, sorted by type, in one record. The record
    /// stands for the file's rows that were only counted: each point was a record of its own.
    mutating func flush(into sink: RecordSink, line: Int) throws {
        guard let commune, !touched.isEmpty else { return }
        let ranks = self.ranks
        touched.sort { ranks[$0] < ranks[$1] }
        var counted: [(type: String, count: Int)] = []
        counted.reserveCapacity(touched.count)
        var rows = 0
        for slot in touched {
            counted.append((types[slot].code, counts[slot]))
            if !types[slot].isPoint { rows += counts[slot] }
            counts[slot] = 0
        }
        touched.removeAll(keepingCapacity: true)
        try sink.emit(.facilityCounts(code: commune, counts: counted), line: line, rows: rows)
    }
}
