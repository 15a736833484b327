import GRDB

/// Reads what changes with every write the API's answers depend on (the schema's `data_version`,
/// which triggers move), prefixed with the store's identity (a store rebuilt from scratch counts
/// from 1 again): the same text means the same answers.
///
/// Synchronous, on a connection of its own: the API asks before every cacheable answer, and a
/// point read on the calling thread costs microseconds where a trip through the reader pool costs
/// two thread switches and may wait for a reader busy with a long answer.
public struct DataVersionProbe: Sendable {
    let reader: any DatabaseReader

    /// The current data version.
    /// - Throws: a database error.
    public func current() throws -> String {
        try reader.read { try Store.dataVersion($0) }
    }
}

extension Store {
    /// A probe on a read-only connection of its own (the store's own connections for an
    /// in-memory store, which has no file to open again).
    /// - Throws: `StoreError` when the file cannot be opened.
    public func dataVersionProbe() throws -> DataVersionProbe {
        guard !path.isEmpty else { return DataVersionProbe(reader: writer) }
        var configuration = Self.configuration
        configuration.readonly = true
        // A reader waits only while the file recovers; an answer should fail fast rather than
        // hold a request thread for the writers' 30 s.
        configuration.busyMode = .timeout(1)
        do {
            return DataVersionProbe(reader: try DatabaseQueue(path: path, configuration: configuration))
        } catch {
            throw StoreError(path: path, message: "cannot open the store to probe its version: \(error)")
        }
    }

    static func dataVersion(_ db: Database) throws -> String {
        try String.fetchOne(
            db.cachedStatement(
                sql: "SELECT (SELECT substr(uuid, 1, 8) FROM store_identity) || '.' || n FROM data_version")) ?? ""
    }
}
