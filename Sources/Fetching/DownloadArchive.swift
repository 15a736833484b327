import Foundation

/// Every downloaded file, kept under its SHA-256: `DIR/ab/abcdef…`.
///
/// Official sites replace last year's file with this year's; the archive keeps the file each
/// source last loaded, which is parsed again when nothing new came (a server's 304, a local file's
/// unchanged fingerprint) but the data must be reloaded: a new target geography, or a forced
/// reload of a local file.
public struct DownloadArchive: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The archive path of a file with this hash.
    public func path(for sha256: String) -> String { "\(directory)/\(sha256.prefix(2))/\(sha256)" }

    /// Whether the archive holds this file whole: of `bytes` bytes, when that size is known (a
    /// copy damaged on disk after it was archived is not parsed again as if it were the file).
    public func holds(_ sha256: String, bytes: Int64?) -> Bool {
        guard let size = Self.size(of: path(for: sha256)) else { return false }
        return bytes.map { $0 == size } ?? true
    }

    private static func size(of path: String) -> Int64? {
        var s = stat()
        return stat(path, &s) == 0 ? Int64(s.st_size) : nil
    }

    /// Moves a completed temp file into the archive (atomically: rename within one filesystem,
    /// else copy to a temp name then rename). An identical file already archived is kept as is; a
    /// copy of another size (damaged) is replaced.
    /// - Returns: the archive path.
    func store(_ temp: String, sha256: String) throws -> String {
        let target = path(for: sha256)
        let fm = FileManager.default
        try fm.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if let kept = Self.size(of: target), kept == Self.size(of: temp) { return target }
        if rename(temp, target) != 0 {
            let staging = target + ".tmp-\(UUID().uuidString)"
            do {
                try fm.copyItem(atPath: temp, toPath: staging)
                guard rename(staging, target) == 0 else {
                    throw FetchError(
                        code: .io, url: temp, message: "cannot archive to \(target)", httpStatus: nil, attempts: 1)
                }
            } catch {
                unlink(staging)
                throw FetchError(
                    code: .io, url: temp, message: "cannot archive to \(target): \(error)", httpStatus: nil, attempts: 1
                )
            }
        }
        return target
    }

    /// Deletes archived files older than `days`, except those in `keep` (the data currently loaded).
    /// - Returns: how many files were removed.
    @discardableResult
    public func prune(olderThanDays days: Int, keep: Set<String>) -> Int {
        let fm = FileManager.default
        let limit = Date().addingTimeInterval(-Double(days) * 86_400)
        var removed = 0
        for prefix in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] {
            let folder = "\(directory)/\(prefix)"
            for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] where !keep.contains(name) {
                let file = "\(folder)/\(name)"
                if let modified = (try? fm.attributesOfItem(atPath: file))?[.modificationDate] as? Date,
                    modified < limit
                {
                    if (try? fm.removeItem(atPath: file)) != nil { removed += 1 }
                }
            }
        }
        return removed
    }
}
