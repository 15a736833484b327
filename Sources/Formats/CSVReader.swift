/// A streaming, byte-level RFC 4180 reader for the CSV files INSEE and others publish.
///
/// It reads `,` or `;` files (sniffed from the header line), quoted or not, LF or CRLF, UTF-8 with
/// or without BOM, or Windows-1252. Records are returned one at a time; fields are decoded to
/// `String` only when asked for, which keeps an 89-column file fast when three columns are used.
///
/// ```swift
/// let csv = try CSVReader(source: FileByteSource(path: "communes.csv"))
/// let code = try csv.header.require("COM")
/// while try csv.next() { print(csv.string(code) ?? "") }
/// ```
public final class CSVReader {
    /// Why a record could not be read as a row; the reader skips it and carries on.
    public enum RecordProblem: Equatable, Sendable {
        case tooLong(bytes: Int)
        case nulByte
    }

    private let source: ByteSource
    private var chunk: [UInt8]
    private var chunkStart = 0
    private var chunkEnd = 0
    private var sourceDone = false
    private var current: Record
    private var physicalLine = 1

    /// The column separator, sniffed from the header when not given.
    public private(set) var separator: UInt8
    /// The text encoding, sniffed from the first bytes when not given.
    public private(set) var encoding: TextEncoding
    /// The parsed header row.
    public private(set) var header: CSVHeader = CSVHeader(names: [])
    /// The 1-based line on which the current record starts.
    public private(set) var line = 0
    /// Set when the current record had to be skipped; its fields are then empty.
    public var problem: RecordProblem? { current.problem }
    /// Bytes consumed so far, for progress reporting.
    public private(set) var bytesRead: Int64 = 0

    /// Creates a reader and reads the header line.
    /// - Parameters:
    ///   - separator: force a separator; by default the most frequent of `;`, `,`, tab in the header.
    ///   - maxRecordBytes: records longer than this are skipped and flagged `.tooLong`.
    /// - Throws: ``FormatError`` when the source is empty, UTF-16, or the header is unreadable.
    public init(
        source: ByteSource, separator: UInt8? = nil, encoding: TextEncoding? = nil,
        maxRecordBytes: Int = 1 << 20, maxFields: Int = 4096, chunkSize: Int = 1 << 20
    ) throws {
        self.source = source
        self.chunk = [UInt8](repeating: 0, count: chunkSize)
        self.current = Record(maxBytes: maxRecordBytes, maxFields: maxFields)
        self.separator = separator ?? UInt8(ascii: ",")
        self.encoding = encoding ?? .utf8
        try fill()
        // Strip a UTF-8 byte-order mark.
        if chunkEnd - chunkStart >= 3 && chunk[chunkStart] == 0xEF && chunk[chunkStart + 1] == 0xBB
            && chunk[chunkStart + 2] == 0xBF
        {
            chunkStart += 3
        }
        if encoding == nil { self.encoding = try TextEncoding.detect(sample: chunk[chunkStart..<chunkEnd]) }
        if separator == nil { self.separator = Self.sniffSeparator(chunk[chunkStart..<chunkEnd]) }
        guard try next() else { throw FormatError(.syntax, "empty file: no header line", line: 1) }
        if let problem { throw FormatError(.syntax, "unreadable header line (\(problem))", line: 1) }
        if count > maxFields {
            throw FormatError(.syntax, "header has \(count) columns, more than the limit of \(maxFields)", line: 1)
        }
        header = CSVHeader(names: (0..<count).map { string($0)?.trimmingCharacters(in: " \"") ?? "" })
    }

    /// Number of fields in the current record.
    public var count: Int { current.fieldEnds.count }

    /// Reads the next record. Returns false at end of file.
    /// - Throws: ``FormatError`` from the underlying source (truncated or corrupt container).
    public func next() throws -> Bool {
        // The record and the position are worked on as locals and put back at the end: through the
        // class's stored properties, every byte paid Swift's dynamic exclusivity checks (a tenth
        // of a national BPE load).
        var record = Record(maxBytes: current.maxBytes, maxFields: current.maxFields)
        swap(&record, &current)
        var physicalLine = self.physicalLine
        defer {
            swap(&record, &current)
            self.physicalLine = physicalLine
        }
        record.clear()
        line = physicalLine
        var inQuotes = false
        var quoteSeen = false  // last byte inside quotes was a quote: either an escape or the closing one
        var anything = false
        let sep = separator
        while true {
            if chunkStart == chunkEnd {
                try fill()
                if chunkStart == chunkEnd {
                    // End of input: a final line without newline still counts.
                    if !anything { return false }
                    record.finish()
                    return true
                }
            }
            anything = true
            let (start, end) = (chunkStart, chunkEnd)
            let consumed: Int = chunk.withUnsafeBufferPointer { buf in
                var i = start
                while i < end {
                    let b = buf[i]
                    i += 1
                    if inQuotes {
                        if b == 0x22 {
                            if quoteSeen {
                                record.append(0x22)
                                quoteSeen = false
                            } else {
                                quoteSeen = true
                            }
                            continue
                        }
                        if quoteSeen {
                            inQuotes = false
                            quoteSeen = false
                        } else {
                            if b == 0x0A { physicalLine += 1 }
                            // Copy the run of ordinary quoted bytes in one go.
                            var j = i
                            while j < end, buf[j] != 0x22, buf[j] != 0x0A { j += 1 }
                            record.append(buf, i - 1, j)
                            i = j
                            continue
                        }
                    }
                    if b == sep {
                        record.endField()
                    } else if b == 0x0A {
                        physicalLine += 1
                        record.dropCarriageReturn()
                        record.finish()
                        return i - start
                    } else if b == 0x22 && record.atFieldStart {
                        inQuotes = true
                    } else {
                        if b == 0 { record.problem = record.problem ?? .nulByte }
                        // Copy the run of ordinary bytes up to the next separator, line end or NUL.
                        var j = i
                        while j < end, buf[j] != sep, buf[j] != 0x0A, buf[j] != 0 { j += 1 }
                        record.append(buf, i - 1, j)
                        i = j
                    }
                }
                return -(i - start)
            }
            if consumed >= 0 {
                chunkStart += consumed
                if record.problem != nil { record.clearFields() }
                return true
            }
            chunkStart += -consumed
        }
    }

    private func fill() throws {
        guard !sourceDone else { return }
        let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
        chunkStart = 0
        chunkEnd = n
        bytesRead += Int64(n)
        if n == 0 { sourceDone = true }
    }

    /// The raw bytes of field `index` of the current record (empty when out of range).
    public func withBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let ends = current.fieldEnds
        guard index >= 0 && index < ends.count else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        let start = index == 0 ? 0 : ends[index - 1]
        return current.bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<ends[index]])) }
    }

    /// Field `index` decoded, trimmed of surrounding spaces; nil when out of range or not decodable
    /// in the file's encoding.
    public func string(_ index: Int) -> String? {
        guard index >= 0 && index < count else { return nil }
        return withBytes(index) { bytes in
            var lo = 0
            var hi = bytes.count
            while lo < hi && bytes[lo] == 0x20 { lo += 1 }
            while hi > lo && bytes[hi - 1] == 0x20 { hi -= 1 }
            return encoding.decode(UnsafeBufferPointer(rebasing: bytes[lo..<hi]))
        }
    }

    /// Whether every field of the current record is valid in the file's encoding.
    public var isWellEncoded: Bool {
        guard encoding == .utf8 else { return true }
        return current.bytes.withUnsafeBufferPointer { bytes in
            // Most records are plain ASCII: check that without decoding anything.
            var high: UInt8 = 0
            for b in bytes { high |= b }
            return high < 0x80 || TextEncoding.isValidUTF8(bytes)
        }
    }

    private static func sniffSeparator(_ sample: ArraySlice<UInt8>) -> UInt8 {
        let firstLine = sample.prefix { $0 != 0x0A }
        let candidates: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: "|")]
        let counts = candidates.map { c in firstLine.reduce(0) { $0 + ($1 == c ? 1 : 0) } }
        let best = counts.indices.max { counts[$0] < counts[$1] }!
        return counts[best] > 0 ? candidates[best] : UInt8(ascii: ",")
    }
}

extension CSVReader {
    /// The bytes of the record being read and where its fields end.
    fileprivate struct Record {
        let maxBytes: Int
        let maxFields: Int
        var bytes: [UInt8] = []
        var fieldEnds: [Int] = []
        var problem: RecordProblem?

        init(maxBytes: Int, maxFields: Int) {
            self.maxBytes = maxBytes
            self.maxFields = maxFields
        }

        /// Whether nothing of the current field was read yet (a quote there opens a quoted field).
        var atFieldStart: Bool { bytes.count == (fieldEnds.last ?? 0) }

        mutating func clear() {
            clearFields()
            problem = nil
        }

        mutating func clearFields() {
            bytes.removeAll(keepingCapacity: true)
            fieldEnds.removeAll(keepingCapacity: true)
        }

        /// Appends `buf[from..<to]`; past the size limit, flags the record instead.
        @inline(__always) mutating func append(_ buf: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) {
            let room = maxBytes - bytes.count
            if to - from <= room {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[from..<to]))
            } else {
                if room > 0 { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[from..<(from + room)])) }
                if problem == nil { problem = .tooLong(bytes: maxBytes) }
            }
        }

        @inline(__always) mutating func append(_ b: UInt8) {
            if bytes.count < maxBytes {
                bytes.append(b)
            } else if problem == nil {
                problem = .tooLong(bytes: maxBytes)
            }
        }

        @inline(__always) mutating func endField() {
            if fieldEnds.count < maxFields * 2 { fieldEnds.append(bytes.count) }
        }

        /// Drops the CR of a CRLF line end: the last byte of a last field that is not empty.
        mutating func dropCarriageReturn() {
            if let last = bytes.last, last == 0x0D, bytes.count > (fieldEnds.last ?? 0) { bytes.removeLast() }
        }

        mutating func finish() { fieldEnds.append(bytes.count) }
    }
}

/// Column names of a CSV file, matched case-insensitively.
public struct CSVHeader: Sendable {
    public let names: [String]
    private let index: [String: Int]

    public init(names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() where index[name.lowercased()] == nil { index[name.lowercased()] = i }
        self.index = index
    }

    /// The position of the first column named any of `candidates` (case-insensitive).
    public func column(_ candidates: String...) -> Int? { column(candidates) }

    public func column(_ candidates: [String]) -> Int? {
        for name in candidates { if let i = index[name.lowercased()] { return i } }
        return nil
    }

    /// The position of a required column.
    /// - Throws: ``FormatError`` `.syntax` naming the missing column and listing those present.
    public func require(_ candidates: String...) throws -> Int {
        if let i = column(candidates) { return i }
        throw FormatError(
            .syntax,
            "missing column \(candidates.joined(separator: " or ")) "
                + "(header has: \(names.prefix(20).joined(separator: ", ")))",
            line: 1)
    }

    /// Names that occur more than once, which make column lookups ambiguous.
    public var duplicates: [String] {
        var seen = Set<String>()
        var dups: [String] = []
        for n in names.map({ $0.lowercased() }) where !seen.insert(n).inserted { dups.append(n) }
        return dups
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
