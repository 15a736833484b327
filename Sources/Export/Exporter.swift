import Foundation
import Store

/// Writes the candidate or commune selection, or the communes' premises, as CSV or GeoJSON,
/// streaming rows from the store.
///
/// The fields are the same in both formats: reference facts, one `flag_` and one `nearest_km_`
/// column per category, `lost_meeting_place`, `cafe_known`, then the candidate fields (empty where the commune
/// is not a candidate). The score breakdown is a JSON text column in CSV, an object in GeoJSON.
public struct Exporter: Sendable {
    public let store: Store
    public let targetVintage: Int

    public init(store: Store, targetVintage: Int) {
        self.store = store
        self.targetVintage = targetVintage
    }

    /// Writes one export atomically. Returns the number of communes (or sites) written.
    /// - Throws: ``ExportError`` for an unknown département; I/O errors.
    @discardableResult
    public func write(_ settings: ExportSettings) async throws -> Int {
        if let dep = try await store.unknownDepartement(among: settings.departements, targetVintage: targetVintage) {
            throw ExportError(message: "unknown département \(dep) in COG \(targetVintage)")
        }
        let file = try AtomicFile(path: settings.output)
        let counter = Counter()
        let box = FileBox(file: file)
        if settings.what == .sites {
            let encoder = SiteEncoder(settings: settings)
            try file.write(encoder.prologue)
            try await store.forEachCommunePremises(targetVintage: targetVintage, departements: settings.departements) {
                name, sites in
                for site in sites {
                    try box.file.write(encoder.encode(site, communeName: name, first: counter.next() == 0))
                }
            }
            try file.write(encoder.epilogue)
            try file.commit()
            return counter.value
        }
        let encoder = RowEncoder(categories: try await store.categories(), settings: settings)
        try file.write(encoder.prologue)
        try await store.forEachExportRow(
            targetVintage: targetVintage, departements: settings.departements,
            candidatesOnly: settings.what == .candidates,
            parts: settings.format == .geojson ? .all : .details
        ) { row in
            try box.file.write(encoder.encode(row, first: counter.next() == 0))
        }
        try file.write(encoder.epilogue)
        try file.commit()
        return counter.value
    }
}

/// An export failure a user can act on.
public struct ExportError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// The file handle crosses into the store's read closure, which runs synchronously on the
/// caller's behalf while the caller awaits: never used concurrently.
private final class FileBox: @unchecked Sendable {
    let file: AtomicFile
    init(file: AtomicFile) { self.file = file }
}

private final class Counter: @unchecked Sendable {
    // Only touched from the store's read closure, one row at a time (see FileBox).
    private(set) var value = 0
    func next() -> Int {
        defer { value += 1 }
        return value
    }
}
