import Analysis
import Formats
import Foundation
import Testing

/// The byte-level readers on small inputs and the real fixtures.
struct FormatsTests {
    private func rows(_ text: String, separator: UInt8? = nil) throws -> [[String]] {
        let csv = try CSVReader(source: MemoryByteSource(text), separator: separator)
        var out = [csv.header.names]
        while try csv.next() { out.append((0..<csv.count).map { csv.string($0) ?? "<invalid>" }) }
        return out
    }

    @Test func quotingSeparatorsAndLineEnds() throws {
        let text = "a;b;c\r\n1;\"x;y\";\"he said \"\"hi\"\"\"\r\n2;\"multi\nline\";z"
        #expect(try rows(text) == [["a", "b", "c"], ["1", "x;y", "he said \"hi\""], ["2", "multi\nline", "z"]])
    }

    /// Lines read whole (plain, in the reader's chunk) and lines read byte by byte (across a
    /// chunk's end: a chunk of 61 bytes cuts most lines) give the same records.
    @Test func plainLinesReadAsByteByByte() throws {
        let path = try TestSupport.datasets() + "/cog2026_communes.csv.gz"
        func records(chunkSize: Int) throws -> [[String]] {
            let csv = try CSVReader(
                source: try InputFile.open(path: path, maxExpandedBytes: 1 << 30), chunkSize: chunkSize)
            var out: [[String]] = []
            while try csv.next() { out.append((0..<csv.count).map { csv.string($0) ?? "<invalid>" }) }
            return out
        }
        let whole = try records(chunkSize: 1 << 20)
        #expect(whole == (try records(chunkSize: 61)))
        #expect(whole.filter { $0.first == "COM" }.count == 34_875)  // GUIDE §7: COG 2026's communes
        #expect(try rows("a;b;c\r\n1;;\r\n\r\n;2;\r\n") == [["a", "b", "c"], ["1", "", ""], [""], ["", "2", ""]])
    }

    /// At the limits (10 bytes of line, CR included; 2 fields, up to 4 field ends kept), read
    /// whole or byte by byte alike: a line at the size limit is read, one byte more is refused
    /// with no field, and so is a last line without line feed; a line of too many fields comes
    /// with more than the limit (its reader refuses it).
    @Test func plainLinesAtTheLimits() throws {
        let text = "h;h\naaaa;bbbbb\naaaa;bbbbbb\naaaa;bbbbb\r\naaa;bbbbb\r\n;;;;\n;;;;;;\nabcdefghijk"
        for chunkSize in [1 << 12, 3] {
            let csv = try CSVReader(
                source: MemoryByteSource(text), maxRecordBytes: 10, maxFields: 2, chunkSize: chunkSize)
            var records: [String] = []
            while try csv.next() {
                let fields = (0..<csv.count).map { csv.string($0) ?? "?" }
                records.append("\(csv.line) \(csv.problem.map { "\($0)" } ?? "ok") \(fields.prefix(2)) \(csv.count)")
            }
            #expect(
                records == [
                    "2 ok [\"aaaa\", \"bbbbb\"] 2", "3 tooLong(bytes: 10) [] 0", "4 tooLong(bytes: 10) [] 0",
                    "5 ok [\"aaa\", \"bbbbb\"] 2", "6 ok [\"\", \"\"] 5", "7 ok [\"\", \"\"] 5",
                    "8 tooLong(bytes: 10) [] 0",
                ], "chunks of \(chunkSize) bytes")
        }
    }

    /// The same on random bytes of the characters that matter (quotes, separators, line ends,
    /// NUL, a multi-byte letter), with small limits: records, their lines and their problems.
    /// The byte-by-byte reading is the reference: chunks of 1 to 8 bytes leave no line of 8 bytes
    /// or more whole in a chunk. Whether a record is blank or well encoded, and fields asked for
    /// out of order before the count (a plain line's fields are found as they are asked for),
    /// are the same too.
    @Test func plainLinesReadAsByteByByteOnRandomInput() throws {
        let alphabet: [[UInt8]] = [[0x61], [0x3B], [0x22], [0x0A], [0x0D], [0x00], [0x20], [0xC3, 0xA9]]
        var generator = SplitMix64(seed: 42)
        func random(_ n: Int) -> Int { Int.random(in: 0..<n, using: &generator) }
        func records(_ bytes: [UInt8], chunkSize: Int) throws -> [String] {
            let csv = try CSVReader(
                source: MemoryByteSource(bytes), separator: 0x3B, encoding: .utf8, maxRecordBytes: 40, maxFields: 6,
                chunkSize: chunkSize)
            var out: [String] = []
            while try csv.next() {
                let n = out.count
                let asked = [(n * 7) % 9, n % 3, (n * 5) % 11, 1].map { csv.string($0) ?? "-" }
                out.append(
                    "\(csv.line) \(String(describing: csv.problem)) \(csv.isBlank) \(csv.isWellEncoded) \(asked) "
                        + "\((0..<csv.count).map { csv.string($0) ?? "?" })")
            }
            return out
        }
        // Half the inputs mostly letters and separators: long plain lines, read eight bytes at a
        // time, with now and then a quote or a NUL at any place of a word.
        func symbol(_ i: Int) -> [UInt8] {
            guard i % 2 == 0 else { return alphabet[random(alphabet.count)] }
            let r = random(100)
            return r < 60 ? alphabet[0] : r < 85 ? alphabet[1] : r < 90 ? alphabet[3] : alphabet[random(alphabet.count)]
        }
        for i in 0..<3_000 {
            let bytes = "h;h\n".utf8 + (0..<random(300)).flatMap { _ in symbol(i) }
            #expect(try records(bytes, chunkSize: 1 << 12) == (try records(bytes, chunkSize: 1 + random(8))))
        }
    }

    @Test func lineNumbersCountPhysicalLines() throws {
        let csv = try CSVReader(source: MemoryByteSource("h1,h2\n1,\"a\nb\"\n3,c\n"))
        #expect(try csv.next())
        #expect(csv.line == 2)
        #expect(try csv.next())
        #expect(csv.line == 4)
    }

    @Test func bomAndLatin1() throws {
        #expect(try rows("\u{FEFF}code,nom\n01001,Clémenciat\n")[1] == ["01001", "Clémenciat"])
        let latin1 = "code;nom\n01001;Clémenciat\n".data(using: .isoLatin1)!
        let csv = try CSVReader(source: MemoryByteSource(Array(latin1)))
        #expect(csv.encoding == .windows1252)
        #expect(try csv.next())
        #expect(csv.string(1) == "Clémenciat")
    }

    /// A record's bytes are valid UTF-8 exactly when the standard library decodes them without
    /// repair: random mixes of ASCII, lead and continuation bytes, overlongs, surrogates and
    /// code points past U+10FFFF.
    @Test func utf8ValidationAgreesWithDecoding() throws {
        let pieces: [[UInt8]] = [
            [0x61], [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x87, 0xAB], [0x80], [0xBF], [0xC0, 0xAF],
            [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8], [0xFF], [0xC3], [0xE2, 0x82],
        ]
        var generator = SplitMix64(seed: 7)
        func random(_ n: Int) -> Int { Int.random(in: 0..<n, using: &generator) }
        var valid = 0
        for _ in 0..<20_000 {
            // Mostly well-formed pieces, so that about a third of the inputs are valid.
            let bytes = (0..<random(12)).flatMap { _ in pieces[random(10) < 9 ? random(4) : random(pieces.count)] }
            let decodes = String(validating: bytes, as: UTF8.self) != nil
            #expect(bytes.withUnsafeBufferPointer { TextEncoding.isValidUTF8($0) } == decodes)
            if decodes { valid += 1 }
        }
        try #require(valid > 2_000 && valid < 18_000)
    }

    /// Fingerprints are identities kept from one version to the next: FNV-1a 64 over each field's
    /// bytes and a 0x1F after each, as Python's own implementation computes it.
    @Test func fingerprintsAreStable() {
        #expect(FNV1a.hex(["01001", "A504", "Café de la Place", ""]) == "1ae3ee1de84348aa")
        #expect(FNV1a.hash([]) == 0xCBF2_9CE4_8422_2325)
        // One field without an array: the value Python's implementation gives, and the array's.
        #expect(FNV1a.hash("12345678900011.B201") == 0x7B1F_8CD0_7D22_851C)
        #expect(FNV1a.hash("12345678900011.B201") == FNV1a.hash(["12345678900011.B201"]))
    }

    /// A decimal read from its bytes is the standard library's value of its text, to the bit, on
    /// random numbers: signs, leading zeros, up to 18 digits, `.` or `,`, and some that are not
    /// plain decimals (an exponent, two separators, a letter), left to `Double(String)`.
    @Test func decimalsReadFromBytesAgreeWithTheStandardLibrary() throws {
        func plain(_ text: String) -> Double? {
            Array(text.utf8).withUnsafeBufferPointer { DecimalText.plain($0) }
        }
        #expect(plain("4.931933") == 4.931933)
        #expect(plain("-0,5") == -0.5)
        #expect(plain("849064.2") == 849064.2)
        #expect(plain("+12") == 12)
        #expect(plain("0000000000000000001.5") == 1.5)
        for text in ["", ".", "-", "1e5", "1.2.3", "1,234.5", "12a", "nan", "1234567890123456"] {
            #expect(plain(text) == nil, "\(text)")
        }
        var generator = SplitMix64(seed: 11)
        func random(_ n: Int) -> Int { Int.random(in: 0..<n, using: &generator) }
        var read = 0
        for _ in 0..<50_000 {
            var digits = String((0..<(1 + random(18))).map { _ in Character(String(random(10))) })
            if random(4) > 0 {
                let at = digits.index(digits.startIndex, offsetBy: random(digits.count + 1))
                digits.insert(random(2) == 0 ? "." : ",", at: at)
            }
            if random(20) == 0 { digits.insert(["e", "x", ".", "-"][random(4)], at: digits.startIndex) }
            let text = ["", "-", "+"][random(3)] + digits
            let expected = Double(text.replacingOccurrences(of: ",", with: "."))
            guard let value = plain(text) else { continue }
            read += 1
            #expect(value.bitPattern == expected?.bitPattern, "\(text)")
        }
        try #require(read > 25_000)
    }

    @Test func utf16IsRefused() {
        #expect(throws: FormatError.self) { try CSVReader(source: MemoryByteSource([0xFF, 0xFE, 0x61, 0x00])) }
    }

    @Test func oversizedRecordIsFlaggedAndSkipped() throws {
        let long = String(repeating: "x", count: 5000)
        let csv = try CSVReader(source: MemoryByteSource("a,b\n\(long),1\nok,2\n"), maxRecordBytes: 1000)
        #expect(try csv.next())
        #expect(csv.problem == .tooLong(bytes: 1000))
        #expect(try csv.next())
        #expect(csv.problem == nil)
        #expect(csv.string(0) == "ok")
    }

    @Test func gzipTruncatedIsAnError() throws {
        let dir = try TestSupport.temporaryDirectory()
        let ds = try TestSupport.datasets()
        let full = try Data(contentsOf: URL(fileURLWithPath: ds + "/cog2026_mouvements_communes.csv.gz"))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.gz"))
        let source = try InputFile.open(path: dir + "/cut.gz", maxExpandedBytes: 1 << 30)
        let csv = try CSVReader(source: source)
        #expect(throws: FormatError.self) { while try csv.next() {} }
    }

    /// A compressed file is inflated ahead of its reader, on another thread: the reader gets the
    /// same bytes as from the file itself, whatever its chunks, and an upstream error after the
    /// bytes before it. A reader that stops early stops the thread.
    @Test func readingAheadChangesNothingButTheThread() throws {
        let ds = try TestSupport.datasets()
        let path = ds + "/cog2026_mouvements_communes.csv.gz"
        func readAll(_ source: ByteSource, buffer: Int = 777) throws -> (bytes: [UInt8], error: (any Error)?) {
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: buffer)
            do {
                while true {
                    let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                    if n == 0 { return (out, nil) }
                    out += chunk[..<n]
                }
            } catch {
                return (out, error)
            }
        }
        let expected = try TestSupport.command(["gzip", "-dc", path]).output
        for (chunkSize, depth) in [(1_000, 1), (4_096, 2), (1 << 20, 4)] {
            let ahead = ReadAheadByteSource(
                try GzipByteSource(upstream: FileByteSource(path: path), maxExpandedBytes: 1 << 30, name: path),
                chunkSize: chunkSize, depth: depth)
            let read = try readAll(ahead)
            #expect(read.error == nil)
            #expect(String(decoding: read.bytes, as: UTF8.self) == expected)
            var after = [UInt8](repeating: 0, count: 8)
            #expect(try after.withUnsafeMutableBytes { try ahead.read(into: $0) } == 0)
        }
        // Cut halfway: the bytes inflated before the cut, then the gzip reader's error.
        let dir = try TestSupport.temporaryDirectory()
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.gz"))
        func cut() throws -> ByteSource {
            try GzipByteSource(upstream: FileByteSource(path: dir + "/cut.gz"), maxExpandedBytes: 1 << 30, name: "cut")
        }
        let direct = try readAll(cut())
        let cutAhead = ReadAheadByteSource(try cut(), chunkSize: 4_096, depth: 3)
        let ahead = try readAll(cutAhead)
        #expect(direct.error is FormatError && ahead.error is FormatError)
        #expect(!ahead.bytes.isEmpty && ahead.bytes == direct.bytes)
        // Read again, it fails again: never a clean end of a truncated stream.
        var more = [UInt8](repeating: 0, count: 8)
        #expect(throws: FormatError.self) { try more.withUnsafeMutableBytes { try cutAhead.read(into: $0) } }
        // Readers dropped after one read, the thread still inflating ahead.
        for _ in 0..<20 {
            let early = ReadAheadByteSource(
                try GzipByteSource(upstream: FileByteSource(path: path), maxExpandedBytes: 1 << 30, name: path),
                chunkSize: 1_000, depth: 2)
            var first = [UInt8](repeating: 0, count: 10)
            #expect(try first.withUnsafeMutableBytes { try early.read(into: $0) } == 10)
        }
    }

    @Test func zipEntryStreamsAndTruncatedZipFails() throws {
        let fx = try TestSupport.formats()
        let archive = try ZipArchive(path: fx + "/bpe24_BPE24_sample.zip")
        #expect(try archive.entry(named: nil).name == "BPE24.csv")
        let csv = try CSVReader(
            source: try InputFile.open(path: fx + "/bpe24_BPE24_sample.zip", maxExpandedBytes: 1 << 20))
        var n = 0
        while try csv.next() { n += 1 }
        #expect(n == 19)  // the fixture's README: 19 rows
        let dir = try TestSupport.temporaryDirectory()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fx + "/bpe24_BPE24_sample.zip"))
        try bytes.prefix(bytes.count - 30).write(to: URL(fileURLWithPath: dir + "/cut.zip"))
        #expect(throws: FormatError.self) { _ = try InputFile.open(path: dir + "/cut.zip", maxExpandedBytes: 1 << 20) }
        // A declared size over the cap is refused before inflating anything (zip bombs).
        #expect(throws: FormatError.self) {
            _ = try InputFile.open(path: fx + "/bpe24_BPE24_sample.zip", maxExpandedBytes: 100)
        }
    }

    @Test func jsonStreamsArrayElements() throws {
        let doc =
            #"{"version":0.6,"elements":[{"id":1,"tags":{"name":"Caf\u00e9 \"du\" coin"}},{"id":2}],"remark":"ok"}"#
        var ids: [Double] = []
        var names: [String] = []
        let others = try JSONStreamReader(source: MemoryByteSource(doc)).forEachElement(ofArray: "elements") { e in
            ids.append(e["id"]?.number ?? -1)
            if let n = e["tags"]?["name"]?.string { names.append(n) }
        }
        #expect(ids == [1, 2])
        #expect(names == ["Café \"du\" coin"])
        #expect(others["remark"]?.string == "ok")
        #expect(throws: FormatError.self) {
            try JSONStreamReader(source: MemoryByteSource(#"{"elements":[{"id":1},"#)).forEachElement(
                ofArray: "elements"
            ) { _ in }
        }
        #expect(throws: FormatError.self) {
            try JSONStreamReader(source: MemoryByteSource("[[1,2,3,4,5,6]]"), maxValuesPerElement: 4).forEachElement(
                ofArray: "x"
            ) { _ in }
        }
    }

    /// Days are compared as numbers (Sirene's dates, in the analysis): they must order as the ISO
    /// texts do (a site opened on 1 January of a vintage is present in it; a year or a month alone comes before its first
    /// day), and anything else is not a date.
    @Test func daysOrderAsTheirText() {
        let dates = [
            "2009-12-31", "2018", "2018-01", "2018-01-01", "2018-01-02", "2019-10", "2020-02-29", "2024-12-31",
        ]
        for a in dates {
            for b in dates { #expect((DayText.number(a)! <= DayText.number(b)!) == (a <= b), "\(a) \(b)") }
        }
        #expect(DayText.number("2018-01-01") == Int32(20_180_101))
        #expect(DayText.number("2019-10") == Int32(20_191_000))
        for text in ["2018-1-01", "2018/01/01", "20180101", "2018-01-0x", "2018-01-01-02", "-01-01", ""] {
            #expect(DayText.number(text) == nil, "\(text)")
        }
    }
}
