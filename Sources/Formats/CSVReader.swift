import Foundation

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

    // The state read for every line and every field asked for is `@exclusivity(unchecked)`:
    // Swift's dynamic exclusivity checks on a class's properties cost 4-5 % of a national BPE
    // parse. A reader is used on one thread, and no access to one of these overlaps a write to it:
    // only `init`, `next()`, `fill()` and `split(through:)` write them, from their own frames.
    private let source: ByteSource
    /// The bytes read from the source and not yet consumed are `chunk[chunkStart..<chunkEnd]`.
    /// Allocated once, freed in `deinit`: reached through an array, every line retained and
    /// released its storage (a fortieth of a national BPE parse).
    private let chunk: UnsafeMutableBufferPointer<UInt8>
    @exclusivity(unchecked) private var chunkStart = 0
    @exclusivity(unchecked) private var chunkEnd = 0
    private var sourceDone = false
    @exclusivity(unchecked) private var current: Record
    @exclusivity(unchecked) private var physicalLine = 1

    /// The column separator, sniffed from the header when not given.
    @exclusivity(unchecked) public private(set) var separator: UInt8
    /// The text encoding, sniffed from the first bytes when not given.
    @exclusivity(unchecked) public private(set) var encoding: TextEncoding
    /// The parsed header row.
    public private(set) var header: CSVHeader = CSVHeader(names: [])
    /// The 1-based line on which the current record starts.
    @exclusivity(unchecked) public private(set) var line = 0
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
        self.chunk = .allocate(capacity: chunkSize)
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
        let sample = UnsafeBufferPointer(rebasing: chunk[chunkStart..<chunkEnd])
        if encoding == nil { self.encoding = try TextEncoding.detect(sample: sample) }
        if separator == nil { self.separator = Self.sniffSeparator(sample) }
        guard try next() else { throw FormatError(.syntax, "empty file: no header line", line: 1) }
        if let problem { throw FormatError(.syntax, "unreadable header line (\(problem))", line: 1) }
        if count > maxFields {
            throw FormatError(.syntax, "header has \(count) columns, more than the limit of \(maxFields)", line: 1)
        }
        header = CSVHeader(names: (0..<count).map { string($0)?.trimmingCharacters(in: " \"") ?? "" })
    }

    deinit {
        current.deallocate()
        chunk.deallocate()
    }

    /// Number of fields in the current record.
    public var count: Int {
        split(through: .max)
        return current.fieldCount
    }

    /// Finds where the fields of the current record end, up to field `index` at least (a plain
    /// line's are found when asked for: see ``Record/takePlainLine(_:available:separator:)``).
    private func split(through index: Int) {
        if !current.isSplit && index >= current.fieldCount { current.split(through: index) }
    }

    /// Whether the current record is a blank line: one field, empty once trimmed of spaces (or not
    /// decodable).
    public var isBlank: Bool {
        split(through: 1)
        return current.fieldCount == 1 && (string(0)?.isEmpty ?? true)
    }

    /// Reads the next record. Returns false at end of file.
    /// - Throws: ``FormatError`` from the underlying source (truncated or corrupt container).
    public func next() throws -> Bool {
        // The record and the position are worked on as locals and put back at the end: a class's
        // stored properties are read again after every call that might change them, and, before
        // these were unchecked, every byte paid Swift's dynamic exclusivity checks (a tenth of a
        // national BPE load).
        var record = current
        var physicalLine = self.physicalLine
        defer {
            current = record
            self.physicalLine = physicalLine
        }
        record.clear()
        line = physicalLine
        // Nearly every line is plain (no quote, no NUL) and lies wholly in the chunk: it is copied
        // in one go, scanned in one pass, and split when its fields are asked for. The byte
        // machine below reads the rest.
        if chunkStart < chunkEnd {
            let (start, end, sep) = (chunkStart, chunkEnd, separator)
            let taken = record.takePlainLine(chunk.baseAddress! + start, available: end - start, separator: sep)
            if let taken {
                chunkStart += taken
                physicalLine += 1
                return true
            }
        }
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
                    if record.problem != nil { record.clearFields() }
                    return true
                }
            }
            anything = true
            let (buf, end) = (UnsafeBufferPointer(chunk), chunkEnd)
            var i = chunkStart
            var lineEnded = false
            scan: while i < end {
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
                    lineEnded = true
                    break scan
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
            chunkStart = i
            if lineEnded {
                if record.problem != nil { record.clearFields() }
                return true
            }
        }
    }

    private func fill() throws {
        guard !sourceDone else { return }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(chunk))
        chunkStart = 0
        chunkEnd = n
        bytesRead += Int64(n)
        if n == 0 { sourceDone = true }
    }

    /// The raw bytes of field `index` of the current record (empty when out of range).
    public func withBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        split(through: index)
        let record = current
        guard index >= 0 && index < record.fieldCount else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        let start = record.start(of: index)
        return body(UnsafeBufferPointer(start: record.bytes + start, count: record.fieldEnds[index] - start))
    }

    /// The raw bytes of field `index` without the spaces around them (empty when out of range).
    public func withTrimmedBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withBytes(index) { bytes in
            var lo = 0
            var hi = bytes.count
            while lo < hi && bytes[lo] == 0x20 { lo += 1 }
            while hi > lo && bytes[hi - 1] == 0x20 { hi -= 1 }
            return body(UnsafeBufferPointer(rebasing: bytes[lo..<hi]))
        }
    }

    /// Field `index` decoded, trimmed of surrounding spaces; nil when out of range or not decodable
    /// in the file's encoding.
    public func string(_ index: Int) -> String? {
        split(through: index)
        guard index >= 0 && index < current.fieldCount else { return nil }
        return withTrimmedBytes(index) { encoding.decode($0) }
    }

    /// Whether every field of the current record is valid in the file's encoding.
    public var isWellEncoded: Bool {
        guard encoding == .utf8, !current.isASCII else { return true }
        let bytes = UnsafeBufferPointer(start: current.bytes, count: current.byteCount)
        // Most records are plain ASCII: check that without decoding anything.
        return TextEncoding.isASCII(bytes) || TextEncoding.isValidUTF8(bytes)
    }

    private static func sniffSeparator(_ sample: some Collection<UInt8>) -> UInt8 {
        let firstLine = sample.prefix { $0 != 0x0A }
        let candidates: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: "|")]
        let counts = candidates.map { c in firstLine.reduce(0) { $0 + ($1 == c ? 1 : 0) } }
        let best = counts.indices.max { counts[$0] < counts[$1] }!
        return counts[best] > 0 ? candidates[best] : UInt8(ascii: ",")
    }
}

extension CSVReader {
    /// The bytes of the record being read and where its fields end, in buffers allocated once per
    /// reader (``CSVReader`` frees them). Arrays cost a uniqueness and a capacity check for every
    /// field appended (a sixth of a national BPE parse); the limits bound these buffers anyway.
    ///
    /// Fields lie one byte apart (a plain line's separator, copied with it; a `;` put there by the
    /// byte-by-byte reading), so that a plain line is its own record: one copy instead of one per
    /// field (per-field copies were half of a national BPE parse).
    fileprivate struct Record {
        let maxBytes: Int
        let maxFields: Int
        /// The fields and the bytes between them: `maxBytes` of the line at most, the bytes a
        /// quoted field drops not counted, plus room for the bytes between `maxFields * 2` fields.
        let bytes: UnsafeMutablePointer<UInt8>
        private(set) var byteCount = 0
        /// Up to `maxFields * 2` field ends (a record with more is read, and refused by its reader,
        /// without writing past them), then the end of the record.
        let fieldEnds: UnsafeMutablePointer<Int>
        /// The field ends found so far: all of them once ``isSplit``.
        private(set) var fieldCount = 0
        var problem: RecordProblem?
        /// Whether every field end is found. A plain line's are found when asked for, eight bytes
        /// at a time: its bytes before `scanned` are searched for the separator (`separatorBytes`,
        /// in every byte of the word).
        private(set) var isSplit = true
        private var scanned = 0
        private var separatorBytes: UInt64 = 0
        /// Whether the record is known to be ASCII (a plain line's bytes are checked as they are
        /// scanned); false when unknown.
        private(set) var isASCII = false

        init(maxBytes: Int, maxFields: Int) {
            self.maxBytes = maxBytes
            self.maxFields = maxFields
            bytes = .allocate(capacity: max(maxBytes, 1) + maxFields * 2)
            fieldEnds = .allocate(capacity: maxFields * 2 + 1)
        }

        func deallocate() {
            bytes.deallocate()
            fieldEnds.deallocate()
        }

        /// Where field `index` starts (it may be the field being read, `fieldCount`).
        @inline(__always) func start(of index: Int) -> Int { index == 0 ? 0 : fieldEnds[index - 1] + 1 }

        /// Whether nothing of the current field was read yet (a quote there opens a quoted field):
        /// kept apart from the bytes stored, which stop growing once a record is too long.
        private(set) var atFieldStart = true

        mutating func clear() {
            clearFields()
            problem = nil
        }

        mutating func clearFields() {
            byteCount = 0
            fieldCount = 0
            atFieldStart = true
            isSplit = true
            isASCII = false
        }

        /// Appends `buf[from..<to]`; past the size limit, flags the record instead.
        @inline(__always) mutating func append(_ buf: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) {
            atFieldStart = false
            let n = min(to - from, maxBytes - byteCount)
            if n > 0 {
                (bytes + byteCount).update(from: buf.baseAddress! + from, count: n)
                byteCount += n
            }
            if n < to - from && problem == nil { problem = .tooLong(bytes: maxBytes) }
        }

        @inline(__always) mutating func append(_ b: UInt8) {
            atFieldStart = false
            if byteCount < maxBytes {
                bytes[byteCount] = b
                byteCount += 1
            } else if problem == nil {
                problem = .tooLong(bytes: maxBytes)
            }
        }

        @inline(__always) mutating func endField() {
            atFieldStart = true
            guard fieldCount < maxFields * 2 else { return }
            fieldEnds[fieldCount] = byteCount
            fieldCount += 1
            // The byte between two fields, past the size limit too (room is kept for it).
            bytes[byteCount] = 0x3B
            byteCount += 1
        }

        /// Drops the CR of a CRLF line end: the last byte of a last field that is not empty.
        mutating func dropCarriageReturn() {
            if byteCount > start(of: fieldCount) && bytes[byteCount - 1] == 0x0D { byteCount -= 1 }
        }

        /// Reads the line at `line` as the record, if it is plain: its line feed within the
        /// `available` bytes and the size limit, no quote, no NUL. Returns the bytes it took (with
        /// the line feed), or nil, the record then still empty.
        ///
        /// The line is checked eight bytes at a time (a byte at a time, this loop was a quarter of
        /// a national BPE parse) for what makes it not plain, and for bytes outside ASCII. Its
        /// separators are found only for the fields asked for (``split(through:)``): most rows of
        /// the national BPE are counted from their 10th and 16th fields, of 89. Finding every
        /// field end was a fifth of its parse; the separators of every word, found as the line
        /// was checked, 0.05 s of its 1.4.
        mutating func takePlainLine(_ line: UnsafePointer<UInt8>, available: Int, separator: UInt8) -> Int? {
            guard let feed = memchr(line, 0x0A, min(available, maxBytes + 1)) else { return nil }
            let length = UnsafePointer<UInt8>(feed.assumingMemoryBound(to: UInt8.self)) - line
            let quotes = UInt64(0x22) &* Self.everyByte
            var notPlain: UInt64 = 0
            var high: UInt64 = 0
            var i = 0
            while i + 8 <= length {
                let word = UInt64(littleEndian: UnsafeRawPointer(line + i).loadUnaligned(as: UInt64.self))
                notPlain |= Self.zeroBytes(word) | Self.zeroBytes(word ^ quotes)
                high |= word
                i += 8
            }
            guard notPlain == 0 else { return nil }
            while i < length {
                let b = line[i]
                if b <= 0x22 && (b == 0x22 || b == 0) { return nil }
                high |= UInt64(b)
                i += 1
            }
            bytes.update(from: line, count: length)
            // A CRLF line end: the CR is the last byte of the last field, never a separator.
            byteCount = length > 0 && line[length - 1] == 0x0D ? length - 1 : length
            fieldCount = 0
            isSplit = false
            scanned = 0
            separatorBytes = UInt64(separator) &* Self.everyByte
            isASCII = high & 0x8080_8080_8080_8080 == 0
            return length + 1
        }

        /// Finds the field ends of a plain line up to field `index` at least, or all of them.
        mutating func split(through index: Int) {
            while !isSplit && fieldCount <= index {
                guard scanned < byteCount else {
                    finish()
                    isSplit = true
                    return
                }
                var found: UInt64 = 0
                if scanned + 8 <= byteCount {
                    let word = UInt64(littleEndian: UnsafeRawPointer(bytes + scanned).loadUnaligned(as: UInt64.self))
                    found = Self.zeroBytes(word ^ separatorBytes)
                } else {
                    for k in 0..<(byteCount - scanned) where bytes[scanned + k] == separator {
                        found |= 0x80 << (8 * UInt64(k))
                    }
                }
                while found != 0 {
                    let end = scanned + found.trailingZeroBitCount >> 3
                    guard fieldCount < maxFields * 2 else {
                        dropSeparators(from: end)
                        finish()
                        isSplit = true
                        return
                    }
                    fieldEnds[fieldCount] = end
                    fieldCount += 1
                    found &= found &- 1
                }
                scanned += 8
            }
        }

        /// Past the limit of fields, the rest of the line is its last field, without its
        /// separators, as the byte-by-byte reading keeps it (its reader refuses the record).
        private mutating func dropSeparators(from position: Int) {
            var kept = position
            for k in position..<byteCount where bytes[k] != separator {
                bytes[kept] = bytes[k]
                kept += 1
            }
            byteCount = kept
        }

        /// The separator of the plain line read.
        private var separator: UInt8 { UInt8(truncatingIfNeeded: separatorBytes) }

        mutating func finish() {
            fieldEnds[fieldCount] = byteCount
            fieldCount += 1
        }

        private static let everyByte: UInt64 = 0x0101_0101_0101_0101

        /// The high bit of each zero byte of `word`, and no other bit (exact: no carry crosses
        /// bytes). Words are read little-endian: byte k of the line is bits 8k…8k+7.
        @inline(__always) private static func zeroBytes(_ word: UInt64) -> UInt64 {
            let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
            return ~(((word & low) &+ low) | word | low)
        }
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
