import Foundation
import Synchronization

/// The one lock of ingestion and analysis jobs, shared by every process on the store: an
/// exclusive `flock` on a file beside it (`STORE.lock`) that says who holds it. The kernel
/// releases it when the holder exits, however it exits, so a dead job never blocks the next
/// one; and only the holder of the lock may close a dead job's run and delete what it left.
public final class IngestionLock: Sendable {
    private let fd: Int32
    private let released = Mutex(false)
    /// Who holds it: `pid N, started at T`.
    public let holder: String

    /// Takes the lock of the store at `storePath`, without waiting.
    /// - Throws: ``IngestionBusy`` naming the holder when another job has it; I/O errors.
    public init(storePath: String) throws {
        let path = Self.path(storePath)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IngestionLockError(path: path, message: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let message = String(cString: strerror(errno))
            defer { close(fd) }
            if busy { throw IngestionBusy(holder: Self.read(fd)) }
            throw IngestionLockError(path: path, message: message)
        }
        self.fd = fd
        holder = "pid \(getpid()), started at \(Date().formatted(.iso8601))"
        ftruncate(fd, 0)
        _ = holder.utf8CString.withUnsafeBufferPointer { pwrite(fd, $0.baseAddress, $0.count - 1, 0) }
    }

    /// Releases the lock (once; later calls do nothing). Call it when the job ends rather than
    /// counting on the last reference going: a closure still held by a finishing thread would
    /// keep it a moment longer, and the next job would be refused.
    public func release() {
        let wasHeld = released.withLock { done in
            defer { done = true }
            return !done
        }
        guard wasHeld else { return }
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }

    deinit { release() }

    /// What the lock file of the store at `storePath` says of its holder, read without touching
    /// the lock (a look could make a job that takes it at that instant fail); "another process"
    /// when it says nothing.
    public static func recordedHolder(storePath: String) -> String {
        let fd = open(path(storePath), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "another process" }
        defer { close(fd) }
        return read(fd)
    }

    private static func path(_ storePath: String) -> String { storePath + ".lock" }

    private static func read(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        return text.isEmpty ? "another process" : text
    }
}

/// An ingestion or analysis was refused: another job holds the store's lock.
public struct IngestionBusy: Error, CustomStringConvertible, Sendable {
    /// `pid N, started at T`.
    public let holder: String

    public init(holder: String) { self.holder = holder }

    public var description: String { "another ingestion is running: \(holder)" }
}

/// The lock file could not be opened or locked.
public struct IngestionLockError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let message: String

    public var description: String { "cannot lock \(path): \(message)" }
}
