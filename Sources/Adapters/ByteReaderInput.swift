import Formats
import Foundation

/// A source's decompressed bytes plus the limits that apply while reading them.
public struct ByteReaderInput {
    public let bytes: ByteSource
    /// Longest CSV record accepted before the row is rejected.
    public var maxRecordBytes: Int
    /// Called now and then with the count of rows read, for progress.
    public var progress: ((Int) -> Void)?

    public init(bytes: ByteSource, maxRecordBytes: Int = 1 << 20, progress: ((Int) -> Void)? = nil) {
        self.bytes = bytes
        self.maxRecordBytes = maxRecordBytes
        self.progress = progress
    }

    /// Opens a CSV reader; a header naming a column twice is refused, since which one holds the
    /// data cannot be known.
    func csv() throws -> CSVReader {
        let reader = try CSVReader(source: bytes, maxRecordBytes: maxRecordBytes)
        let duplicates = reader.header.duplicates.filter { !$0.isEmpty }
        guard duplicates.isEmpty else {
            throw FormatError(
                .syntax, "duplicate column names in the header: \(duplicates.prefix(5).joined(separator: ", "))",
                line: 1)
        }
        return reader
    }
}

extension CSVReader {
    /// Calls `body` for each well-formed record; oversize, NUL-bearing or mis-encoded records are
    /// rejected with their line number. Returns the number of records read.
    func forEachRow(input: ByteReaderInput, sink: RecordSink, _ body: () throws -> Void) throws -> Int {
        var rows = 0
        while try next() {
            rows += 1
            if rows & 0xFFFF == 0 { input.progress?(rows) }
            if isBlank {
                rows -= 1
                continue
            }  // blank line
            if let problem {
                switch problem {
                case .tooLong(let n): try sink.reject(line: line, reason: "record longer than \(n) bytes")
                case .nulByte: try sink.reject(line: line, reason: "NUL byte in record")
                }
                continue
            }
            guard isWellEncoded else {
                try sink.reject(line: line, reason: "invalid UTF-8")
                continue
            }
            try body()
        }
        return rows
    }

    /// Field `index` or nil when empty or an INSEE/Sirene null marker (`_Z`, `_U`, `[ND]`).
    func value(_ index: Int?) -> String? {
        // The markers are told by their bytes: a field is decoded only when it is a value.
        guard let index else { return nil }
        return withTrimmedBytes(index) { Self.isNull($0) ? nil : encoding.decode($0) }
    }

    /// Appends field `index`'s trimmed bytes to `text` when it is a value (see ``value(_:)``, not
    /// decoded); returns whether it did.
    func appendValue(_ index: Int?, to text: inout [UInt8]) -> Bool {
        guard let index else { return false }
        return withTrimmedBytes(index) { bytes in
            guard !Self.isNull(bytes) else { return false }
            text.append(contentsOf: bytes)
            return true
        }
    }

    /// Whether a field's bytes, trimmed, are empty or a null marker.
    private static func isNull(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch bytes.count {
        case 0: true
        case 2: bytes[0] == UInt8(ascii: "_") && (bytes[1] == UInt8(ascii: "Z") || bytes[1] == UInt8(ascii: "U"))
        case 4: bytes.elementsEqual("[ND]".utf8)
        default: false
        }
    }

    /// Whether field `index`, trimmed, is `text` (its ASCII letters in any case when
    /// `ignoringCase`), compared by their bytes: nothing decoded.
    func field(_ index: Int?, is text: String, ignoringCase: Bool = false) -> Bool {
        guard let index else { return false }
        return withTrimmedBytes(index) { bytes in
            bytes.elementsEqual(text.utf8) { a, b in
                a == b || (ignoringCase && a | 0x20 == b | 0x20 && (a | 0x20) &- UInt8(ascii: "a") < 26)
            }
        }
    }

    /// An integer field, tolerating spaces as thousands separators.
    func integer(_ index: Int?) -> Int? {
        guard let s = value(index) else { return nil }
        return Int(s.filter { $0 != " " && $0 != "\u{00A0}" })
    }

    /// A decimal field, with `.` or `,` as decimal separator.
    func decimal(_ index: Int?) -> Double? {
        guard let index else { return nil }
        if let plain = withTrimmedBytes(index, DecimalText.plain) { return plain }
        guard let s = value(index) else { return nil }
        // Foundation's replacingOccurrences cost a twentieth of a national BPE parse on Linux.
        guard s.utf8.contains(UInt8(ascii: ",")) else { return Double(s) }
        return Double(String(s.map { $0 == "," ? "." : $0 }))
    }
}

extension CSVHeader {
    /// The position of a required column, trying `candidates` in order.
    /// - Throws: `FormatError` naming the missing column and listing those present.
    func require(_ candidates: [String]) throws -> Int {
        if let i = column(candidates) { return i }
        throw FormatError(
            .syntax,
            "missing column \(candidates.joined(separator: " or ")) "
                + "(header has: \(names.prefix(20).joined(separator: ", ")))",
            line: 1)
    }
}
