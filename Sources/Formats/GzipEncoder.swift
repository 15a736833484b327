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
        guard rc == Z_OK else { throw FormatError(.corrupt, "gzip: zlib initialisation failed (\(rc))") }
    }

    deinit { deflateEnd(&stream) }

    /// The compressed bytes `bytes` give so far (possibly none: zlib buffers).
    public func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        run(bytes, flush: Z_NO_FLUSH)
    }

    /// The last compressed bytes and the gzip trailer.
    public func finish() -> [UInt8] {
        run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
    }

    private func run(_ bytes: UnsafeRawBufferPointer, flush: Int32) -> [UInt8] {
        var out: [UInt8] = []
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        repeat {
            let produced = output.withUnsafeMutableBytes { buffer -> Int in
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                _ = deflate(&stream, flush)
                return buffer.count - Int(stream.avail_out)
            }
            out += output[..<produced]
        } while stream.avail_out == 0 || (flush == Z_FINISH && stream.avail_in > 0)
        return out
    }
}
