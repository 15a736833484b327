import Foundation

/// A file written under a temporary name and renamed into place on `commit()`: readers see the
/// old file or the new one, never half of one. Writes to stdout directly when the path is `-`.
public final class AtomicFile {
    private let path: String
    private let temp: String?
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var committed = false

    /// - Throws: `CocoaError` when the directory is not writable.
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            temp = nil
            fd = 1
        } else {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            let t =
                (dir.isEmpty ? "." : dir)
                + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
            fd = open(t, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: t]) }
            temp = t
        }
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if let temp, !committed {
            close(fd)
            unlink(temp)
        }
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the file into place.
    public func commit() throws {
        try flush()
        guard let temp else { return }
        fsync(fd)
        close(fd)
        guard rename(temp, path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        committed = true
    }
}
