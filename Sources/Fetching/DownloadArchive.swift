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

    /// Whether the archive holds this file.
    public func contains(_ sha256: String) -> Bool { FileManager.default.fileExists(atPath: path(for: sha256)) }

    /// Moves a completed temp file into the archive (atomically: rename within one filesystem,
    /// else copy to a temp name then rename). An identical file already archived is kept as is.
    /// - Returns: the archive path.
    func store(_ temp: String, sha256: String) throws -> String {
        let target = path(for: sha256)
        let fm = FileManager.default
        try fm.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if fm.fileExists(atPath: target) { return target }
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
