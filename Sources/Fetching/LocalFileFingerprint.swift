import Foundation

/// A `file://` source's identity without reading it: device, inode, size, and modification and
/// change times in nanoseconds. Used as the file's ETag, so that an unchanged local file is not
/// re-read and re-hashed on every run (1 GB of national files took 6 s to hash).
///
/// Safe because the change time (ctime) moves on every write and cannot be set back by `touch`;
/// an inode changes when a file is replaced by rename. Like git's "racy" index entries, a file
/// changed less than two seconds ago gets no fingerprint (timestamps advance by clock ticks, so
/// two writes in one tick could look alike): it is hashed again next time.
public struct LocalFileFingerprint: Equatable {
    let validator: String

    /// Whether `url` names a local file (`file://`), whose fingerprint tells for sure whether it
    /// changed; a server's validators are only its word.
    public static func isLocal(_ url: String) -> Bool { url.lowercased().hasPrefix("file://") }

    /// The fingerprint of the file a `file://` URL names, or nil (another scheme, a missing file,
    /// a file changed too recently).
    init?(url: String, now: Date = Date()) {
        guard Self.isLocal(url), let path = URL(string: url)?.path, !path.isEmpty else {
            return nil
        }
        var s = stat()
        guard stat(path, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG else { return nil }
        let changed = Double(s.st_ctim.tv_sec) + Double(s.st_ctim.tv_nsec) / 1e9
        guard now.timeIntervalSince1970 - changed >= 2 else { return nil }
        validator =
            "file-stat:\(s.st_dev):\(s.st_ino):\(s.st_size):\(s.st_mtim.tv_sec).\(s.st_mtim.tv_nsec):"
            + "\(s.st_ctim.tv_sec).\(s.st_ctim.tv_nsec)"
    }
}
