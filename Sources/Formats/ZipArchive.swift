import CZlib

/// Reads the central directory of a zip file and streams one entry, inflating as it goes.
///
/// Entries are never extracted to a path: callers read bytes from ``ZipEntrySource``, so names
/// such as `../../etc/passwd` are harmless. ZIP64 sizes and offsets are supported because the
/// Sirene stock is larger than 4 GiB once unzipped.
public struct ZipArchive {
    /// One member of the archive, as the central directory describes it.
    public struct Entry: Sendable {
        public let name: String
        public let method: UInt16
        public let crc32: UInt32
        public let compressedSize: Int64
        public let uncompressedSize: Int64
        let localHeaderOffset: Int64
    }

    public let path: String
    public let entries: [Entry]

    /// Parses the central directory of the zip file at `path`.
    /// - Throws: ``FormatError`` `.truncated` when the end-of-central-directory record is missing,
    ///   `.corrupt` when the directory is inconsistent.
    public init(path: String) throws {
        self.path = path
        let file = try FileByteSource(path: path)
        let size = file.size
        let tailLength = Int(min(size, 65_557))
        let tail = try file.pread(count: tailLength, at: size - Int64(tailLength))
        guard let eocd = Self.lastIndex(of: [0x50, 0x4b, 0x05, 0x06], in: tail), eocd + 22 <= tail.count else {
            throw FormatError(.truncated, "\(path): not a complete zip archive (no end of central directory)")
        }
        var count = Int64(tail.le16(eocd + 10))
        var directorySize = Int64(tail.le32(eocd + 12))
        var directoryOffset = Int64(tail.le32(eocd + 16))
        // ZIP64: a locator sits just before the classic record.
        if eocd >= 20, tail.le32(eocd - 20) == 0x0706_4b50 {
            let recordOffset = Int64(tail.le64(eocd - 20 + 8))
            let record = try file.pread(count: 56, at: recordOffset)
            guard record.le32(0) == 0x0606_4b50 else { throw FormatError(.corrupt, "\(path): bad ZIP64 end record") }
            count = Int64(record.le64(32))
            directorySize = Int64(record.le64(40))
            directoryOffset = Int64(record.le64(48))
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset + directorySize <= size,
            directorySize < 512 << 20
        else {
            throw FormatError(.truncated, "\(path): central directory lies outside the file (truncated download?)")
        }
        let directory = try file.pread(count: Int(directorySize), at: directoryOffset)
        var entries: [Entry] = []
        var p = 0
        for _ in 0..<count {
            guard p + 46 <= directory.count, directory.le32(p) == 0x0201_4b50 else {
                throw FormatError(.corrupt, "\(path): corrupt central directory entry \(entries.count + 1)")
            }
            let nameLength = Int(directory.le16(p + 28))
            let extraLength = Int(directory.le16(p + 30))
            let commentLength = Int(directory.le16(p + 32))
            guard p + 46 + nameLength + extraLength + commentLength <= directory.count else {
                throw FormatError(.corrupt, "\(path): corrupt central directory entry \(entries.count + 1)")
            }
            var compressed = Int64(directory.le32(p + 20))
            var uncompressed = Int64(directory.le32(p + 24))
            var offset = Int64(directory.le32(p + 42))
            // ZIP64 extended information: only the fields saturated in the fixed header are present, in order.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = directory.le16(e)
                let length = Int(directory.le16(e + 2))
                if id == 0x0001 {
                    var q = e + 4
                    if uncompressed == 0xFFFF_FFFF, q + 8 <= e + 4 + length {
                        uncompressed = Int64(directory.le64(q))
                        q += 8
                    }
                    if compressed == 0xFFFF_FFFF, q + 8 <= e + 4 + length {
                        compressed = Int64(directory.le64(q))
                        q += 8
                    }
                    if offset == 0xFFFF_FFFF, q + 8 <= e + 4 + length { offset = Int64(directory.le64(q)) }
                }
                e += 4 + length
            }
            let name = String(decoding: directory[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            entries.append(
                Entry(
                    name: name, method: directory.le16(p + 10), crc32: directory.le32(p + 16),
                    compressedSize: compressed, uncompressedSize: uncompressed, localHeaderOffset: offset))
            p += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The entry to read: the one named `name` (its last path component also matches), else the only
    /// data file (`.csv`, `.txt`, `.json`, `.geojson`) in the archive.
    /// - Throws: ``FormatError`` `.missingEntry` naming what the archive holds.
    public func entry(named name: String?) throws -> Entry {
        let files = entries.filter { !$0.name.hasSuffix("/") }
        if let name {
            if let hit = files.first(where: {
                $0.name == name || $0.name.split(separator: "/").last.map(String.init) == name
            }) {
                return hit
            }
        } else {
            let data = files.filter { entry in
                [".csv", ".txt", ".json", ".geojson"].contains { entry.name.lowercased().hasSuffix($0) }
            }
            if data.count == 1 { return data[0] }
        }
        let listing = files.prefix(10).map(\.name).joined(separator: ", ")
        throw FormatError(
            .missingEntry,
            "\(path): " + (name.map { "no entry named \($0)" } ?? "cannot choose the data entry")
                + " (archive holds: \(listing.isEmpty ? "nothing" : listing)); set `entry` in the source config")
    }

    /// Opens a stream over the decompressed bytes of `entry`.
    public func open(_ entry: Entry, maxExpandedBytes: Int64) throws -> ZipEntrySource {
        try ZipEntrySource(path: path, entry: entry, maxExpandedBytes: maxExpandedBytes)
    }

    private static func lastIndex(of signature: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= signature.count else { return nil }
        var i = bytes.count - signature.count
        while i >= 0 {
            if bytes[i] == signature[0] && bytes[i + 1] == signature[1] && bytes[i + 2] == signature[2]
                && bytes[i + 3] == signature[3]
            {
                return i
            }
            i -= 1
        }
        return nil
    }
}

/// The decompressed bytes of one zip entry, CRC-checked at the end.
public final class ZipEntrySource: ByteSource {
    private let file: FileByteSource
    private let entry: ZipArchive.Entry
    private var remainingCompressed: Int64
    private var stream = z_stream()
    private var input = [UInt8](repeating: 0, count: 1 << 16)
    private var inputStart = 0
    private var inputEnd = 0
    private var produced: Int64 = 0
    private var crc: uLong = crc32(0, nil, 0)
    private var finished = false
    private let maxExpandedBytes: Int64
    private let label: String

    init(path: String, entry: ZipArchive.Entry, maxExpandedBytes: Int64) throws {
        file = try FileByteSource(path: path)
        self.entry = entry
        self.maxExpandedBytes = maxExpandedBytes
        label = "\(path)!\(entry.name)"
        guard entry.method == 0 || entry.method == 8 else {
            throw FormatError(
                .unsupported, "\(label): compression method \(entry.method) is not supported (only stored and deflate)")
        }
        guard entry.uncompressedSize <= maxExpandedBytes else {
            throw FormatError(
                .tooLarge,
                "\(label): declares \(entry.uncompressedSize) bytes uncompressed, over the cap of \(maxExpandedBytes)")
        }
        // Text compresses 5-20x; a large entry expanding over 200x is a zip bomb, not a dataset.
        if entry.uncompressedSize > 64 << 20, entry.uncompressedSize > 200 * max(entry.compressedSize, 1) {
            throw FormatError(
                .tooLarge,
                "\(label): expands \(entry.uncompressedSize / max(entry.compressedSize, 1))x (zip bomb?); refused")
        }
        let header = try file.pread(count: 30, at: entry.localHeaderOffset)
        guard header.le32(0) == 0x0403_4b50 else { throw FormatError(.corrupt, "\(label): bad local header") }
        let dataOffset = entry.localHeaderOffset + 30 + Int64(header.le16(26)) + Int64(header.le16(28))
        guard dataOffset + entry.compressedSize <= file.size else {
            throw FormatError(.truncated, "\(label): entry data runs past the end of the file")
        }
        file.seek(to: dataOffset)
        remainingCompressed = entry.compressedSize
        if entry.method == 8 {
            // Negative window bits: raw deflate, as zip stores it.
            guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw FormatError(.corrupt, "\(label): zlib initialisation failed")
            }
        }
    }

    deinit { if entry.method == 8 { inflateEnd(&stream) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        var written = 0
        while written == 0 && !finished {
            if inputStart == inputEnd && remainingCompressed > 0 {
                let want = Int(min(Int64(input.count), remainingCompressed))
                let n = try input.withUnsafeMutableBytes {
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]))
                }
                guard n > 0 else { throw FormatError(.truncated, "\(label): truncated entry data") }
                inputStart = 0
                inputEnd = n
                remainingCompressed -= Int64(n)
            }
            if entry.method == 0 {
                if inputStart == inputEnd {
                    finished = true
                    break
                }
                let n = min(buffer.count, inputEnd - inputStart)
                input.withUnsafeBytes {
                    buffer.baseAddress!.copyMemory(from: $0.baseAddress! + inputStart, byteCount: n)
                }
                inputStart += n
                written = n
            } else {
                let (rc, out, consumed) = input.withUnsafeMutableBytes { inBuf -> (Int32, Int, Int) in
                    stream.next_in = inBuf.baseAddress!.assumingMemoryBound(to: Bytef.self) + inputStart
                    stream.avail_in = uInt(inputEnd - inputStart)
                    stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(buffer.count)
                    let rc = inflate(&stream, Z_NO_FLUSH)
                    return (rc, buffer.count - Int(stream.avail_out), (inputEnd - inputStart) - Int(stream.avail_in))
                }
                inputStart += consumed
                written = out
                if rc == Z_STREAM_END {
                    finished = true
                } else if rc == Z_BUF_ERROR && inputStart == inputEnd && remainingCompressed == 0 && out == 0 {
                    throw FormatError(.truncated, "\(label): deflate stream ends early")
                } else if rc != Z_OK && rc != Z_BUF_ERROR {
                    throw FormatError(.corrupt, "\(label): corrupt deflate data (zlib error \(rc))")
                }
            }
            produced += Int64(written)
            if produced > maxExpandedBytes || produced > entry.uncompressedSize {
                throw FormatError(
                    .tooLarge,
                    "\(label): expands beyond its declared size or the cap of \(maxExpandedBytes) bytes (zip bomb?)")
            }
            if written > 0 {
                crc = buffer.baseAddress!.withMemoryRebound(to: Bytef.self, capacity: written) {
                    crc32(crc, $0, uInt(written))
                }
            }
        }
        if finished {
            guard produced == entry.uncompressedSize, UInt32(truncatingIfNeeded: crc) == entry.crc32 else {
                throw FormatError(
                    .corrupt, "\(label): size or CRC mismatch (\(produced) of \(entry.uncompressedSize) bytes)")
            }
        }
        return written
    }
}

extension Array where Element == UInt8 {
    func le16(_ i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func le32(_ i: Int) -> UInt32 { UInt32(le16(i)) | UInt32(le16(i + 2)) << 16 }
    func le64(_ i: Int) -> UInt64 { UInt64(le32(i)) | UInt64(le32(i + 4)) << 32 }
}
