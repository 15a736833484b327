import Foundation

/// A pull-based stream of bytes: files, gzip members and zip entries all look alike to readers.
///
/// Readers ask for bytes into their own buffer, so a national file is never held in memory.
public protocol ByteSource: AnyObject {
    /// Fills `buffer` with up to `buffer.count` bytes and returns how many were written; 0 means end of stream.
    /// - Throws: ``FormatError`` when the underlying bytes are corrupt or truncated.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads a local file sequentially with plain POSIX reads.
public final class FileByteSource: ByteSource {
    private let fd: Int32
    public let path: String

    /// Opens `path` for reading.
    /// - Throws: ``FormatError`` with code `.io` when the file cannot be opened.
    public init(path: String) throws {
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FormatError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Foundation.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw FormatError(.io, "read error on \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Reads `count` bytes at `offset` without moving the sequential cursor.
    func pread(count: Int, at offset: Int64) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let n = out.withUnsafeMutableBytes { Foundation.pread(fd, $0.baseAddress, count, off_t(offset)) }
        guard n == count else { throw FormatError(.truncated, "\(path): unexpected end of file at offset \(offset)") }
        return out
    }

    func seek(to offset: Int64) { lseek(fd, off_t(offset), SEEK_SET) }

    var size: Int64 {
        var st = stat()
        return fstat(fd, &st) == 0 ? Int64(st.st_size) : 0
    }
}

/// A fixed in-memory byte source, for small documents and tests.
public final class MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public convenience init(_ text: String) { self.init(Array(text.utf8)) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}
