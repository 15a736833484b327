import CZlib

/// Inflates a gzip (or zlib) stream on the fly, including files made of several gzip members.
///
/// The expansion is capped so that a small malicious file cannot fill the disk or memory.
public final class GzipByteSource: ByteSource {
    private let upstream: ByteSource
    private var stream = z_stream()
    private var input = [UInt8](repeating: 0, count: 1 << 16)
    private var inputStart = 0
    private var inputEnd = 0
    private var upstreamDone = false
    private var finished = false
    private var produced: Int64 = 0
    private let maxExpandedBytes: Int64
    private let name: String

    /// - Parameters:
    ///   - upstream: the compressed bytes.
    ///   - maxExpandedBytes: the largest decompressed size accepted before failing with `.tooLarge`.
    ///   - name: used in error messages.
    public init(upstream: ByteSource, maxExpandedBytes: Int64, name: String) throws {
        self.upstream = upstream
        self.maxExpandedBytes = maxExpandedBytes
        self.name = name
        // 15 + 32: accept gzip and zlib headers automatically.
        let rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw FormatError(.corrupt, "\(name): zlib initialisation failed (\(rc))") }
    }

    deinit { inflateEnd(&stream) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        while true {
            if inputStart == inputEnd && !upstreamDone {
                inputStart = 0
                inputEnd = try input.withUnsafeMutableBytes { try upstream.read(into: $0) }
                if inputEnd == 0 { upstreamDone = true }
            }
            if inputStart == inputEnd && upstreamDone {
                throw FormatError(.truncated, "\(name): truncated gzip stream (ended after \(produced) bytes)")
            }
            let (rc, written, consumed) = input.withUnsafeMutableBytes { inBuf -> (Int32, Int, Int) in
                stream.next_in = inBuf.baseAddress!.assumingMemoryBound(to: Bytef.self) + inputStart
                stream.avail_in = uInt(inputEnd - inputStart)
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                let rc = inflate(&stream, Z_NO_FLUSH)
                return (rc, buffer.count - Int(stream.avail_out), (inputEnd - inputStart) - Int(stream.avail_in))
            }
            inputStart += consumed
            produced += Int64(written)
            if produced > maxExpandedBytes {
                throw FormatError(.tooLarge, "\(name): decompressed size exceeds the cap of \(maxExpandedBytes) bytes")
            }
            switch rc {
            case Z_STREAM_END:
                // Another gzip member may follow (concatenated .gz files are valid).
                if inputStart == inputEnd && !upstreamDone {
                    inputStart = 0
                    inputEnd = try input.withUnsafeMutableBytes { try upstream.read(into: $0) }
                    if inputEnd == 0 { upstreamDone = true }
                }
                if inputStart < inputEnd { inflateReset(&stream) } else { finished = true }
                if written > 0 || finished { return written }
            case Z_OK, Z_BUF_ERROR:
                if written > 0 { return written }
            default:
                throw FormatError(.corrupt, "\(name): corrupt gzip data (zlib error \(rc))")
            }
        }
    }
}
