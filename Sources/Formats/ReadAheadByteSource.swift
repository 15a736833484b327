import Dispatch
import Foundation
import Synchronization

/// Reads another byte source ahead, on a thread of its own: while the reader parses one chunk,
/// the next are read from the file, and inflated for a zip entry or a gzip member, on the other
/// core. Inflating the national BPE zip took a fifth of the parse thread's time.
///
/// At most `depth` chunks of `chunkSize` bytes wait to be read: memory stays bounded. An error of
/// the upstream source is thrown where it happened in the stream, once the bytes before it are
/// read, and again at every later read.
///
/// ```swift
/// let entry = try GzipByteSource(upstream: FileByteSource(path: path), maxExpandedBytes: cap, name: path)
/// let csv = try CSVReader(source: ReadAheadByteSource(entry))
/// ```
public final class ReadAheadByteSource: ByteSource {
    private let chunks: Chunks
    /// Chunks the upstream thread may fill, and chunks filled for the reader. Both start at 0
    /// (libdispatch refuses to free a semaphore left below its initial value).
    private let free = DispatchSemaphore(value: 0)
    private let filled = DispatchSemaphore(value: 0)

    /// The chunk being read, where the reader is in it, and how many bytes it holds.
    private var current = 0
    private var offset = 0
    private var length = 0
    /// How the upstream source ended, once the reader got there: 0 bytes, or its error.
    private var end: Result<Int, any Error>?

    /// Reads `upstream` ahead, `depth` chunks of `chunkSize` bytes at most. `upstream` is then
    /// read by the upstream thread alone: the caller must not use it any more.
    public init(_ upstream: ByteSource, chunkSize: Int = 1 << 20, depth: Int = 4) {
        precondition(chunkSize > 0 && depth > 0, "a read-ahead needs chunks of some bytes")
        chunks = Chunks(count: depth, size: chunkSize)
        for _ in 0..<depth { free.signal() }
        let (chunks, free, filled) = (self.chunks, self.free, self.filled)
        let source = Upstream(source: upstream)
        let thread = Thread {
            var index = 0
            while true {
                free.wait()
                if chunks.stopping.load(ordering: .acquiring) { return }
                let read = Result { try source.source.read(into: chunks.buffer(index)) }
                chunks.results.withLock { $0[index] = read }
                filled.signal()
                guard case .success(let n) = read, n > 0 else { return }
                index = (index + 1) % chunks.count
            }
        }
        thread.name = "ruralmap.read-ahead"
        thread.start()
    }

    /// Stops the upstream thread at its next chunk, without waiting for it: the chunks' memory
    /// goes with the last of the two to let it go.
    deinit {
        chunks.stopping.store(true, ordering: .releasing)
        free.signal()  // wakes the upstream thread if it waits for a chunk
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if offset == length {
            if let end { return try end.get() }
            if length > 0 {
                free.signal()  // the chunk read through goes back to the upstream thread
                current = (current + 1) % chunks.count
            }
            filled.wait()
            let result = chunks.results.withLock { $0[current] }
            (offset, length) = (0, 0)
            guard case .success(let n) = result, n > 0 else {
                end = result
                return try result.get()
            }
            length = n
        }
        let n = min(buffer.count, length - offset)
        buffer.baseAddress?.copyMemory(from: chunks.buffer(current).baseAddress! + offset, byteCount: n)
        offset += n
        return n
    }

    /// The chunks, each written by the upstream thread and then read by the reader, in turn: the
    /// semaphores hand a chunk over and order its bytes' writes before their reads.
    private final class Chunks: @unchecked Sendable {
        let count: Int
        private let memory: UnsafeMutableRawBufferPointer
        private let size: Int
        /// What each chunk's read from upstream returned.
        let results: Mutex<[Result<Int, any Error>]>
        /// Set when the reader is gone: the upstream thread stops at its next chunk.
        let stopping = Atomic<Bool>(false)

        init(count: Int, size: Int) {
            self.count = count
            self.size = size
            memory = .allocate(byteCount: count * size, alignment: 16)
            results = Mutex(Array(repeating: .success(0), count: count))
        }

        deinit { memory.deallocate() }

        func buffer(_ index: Int) -> UnsafeMutableRawBufferPointer {
            UnsafeMutableRawBufferPointer(rebasing: memory[index * size..<(index + 1) * size])
        }
    }

    /// The upstream source, used by the upstream thread alone once handed over (see `init`).
    private struct Upstream: @unchecked Sendable {
        let source: ByteSource
    }
}
