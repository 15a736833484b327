import CZlib

/// Deflates bytes into one gzip member, piece by piece (an HTTP body compressed as it streams).
/// Not thread-safe: one encoder per body.
public final class GzipEncoder {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 1 << 16)

    /// - Throws: ``FormatError`` when zlib cannot start.
    public init(level: Int32 = 6) throws {
        // 15 + 16: a gzip header and trailer around the deflate stream.
        let rc = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)
        )
        guard rc == Z_OK else { throw FormatError(.corrupt, "gzip: zlib could not start a deflate stream (\(rc))") }
    }

    deinit { deflateEnd(&stream) }

    /// The compressed bytes `bytes` give so far (possibly none: zlib buffers).
    /// - Throws: ``FormatError`` if zlib reports its stream broken.
    public func compress(_ bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        try run(bytes, flush: Z_NO_FLUSH)
    }

    /// The last compressed bytes and the gzip trailer.
    /// - Throws: ``FormatError`` if zlib reports its stream broken.
    public func finish() throws -> [UInt8] {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
    }

    private func run(_ bytes: UnsafeRawBufferPointer, flush: Int32) throws -> [UInt8] {
        var out: [UInt8] = []
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        // zlib's own pattern: call deflate until it leaves room in the output (it has taken all the input).
        repeat {
            let (rc, produced) = output.withUnsafeMutableBytes { buffer -> (Int32, Int) in
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                let rc = deflate(&stream, flush)
                return (rc, buffer.count - Int(stream.avail_out))
            }
            guard rc != Z_STREAM_ERROR else { throw FormatError(.corrupt, "gzip: the deflate stream broke") }
            out += output[..<produced]
        } while stream.avail_out == 0
        return out
    }
}
