import Adapters
import Catalog
import Fetching
import Formats
import Store
import Territory

/// One parse of a downloaded file into the store, as the source's new generation (see
/// ``Store/load(_:_:)``): throwing anywhere here abandons it and the previous data stays.
struct SourceLoad: Sendable {
    let spec: SourceSpec
    /// The territory stated in the config, if any.
    let declaredCoverage: Coverage?
    let path: String
    let base: RunOutcome
    let translator: CodeTranslator?
    let locator: CommuneLocator?
    let mapping: CategoryMapping
    let maxExpandedBytes: Int64
    let maxRejectRatio: Double
    let maxRejectsKept: Int
    let cancellation: CancellationFlag
    let progress: ProgressReporter

    func run(into writer: SourceWriter) throws -> RunOutcome {
        let bytes = try InputFile.open(path: path, entry: spec.entry, maxExpandedBytes: maxExpandedBytes)
        let input = ByteReaderInput(bytes: bytes, progress: { rows in progress.update(bytes: Int64(rows), total: 0) })
        let sink = StoreSink(
            writer: writer, spec: spec, translator: translator, locator: locator,
            maxRejectsKept: maxRejectsKept, cancellation: cancellation)
        let read = try IngestionJob.adapter(for: spec, mapping: mapping).read(input, spec: spec, into: sink)
        var outcome = base
        outcome.outcome = .loaded
        outcome.unmapped = try sink.finish()
        outcome.rowsRead = read
        outcome.rowsLoaded = sink.loaded
        outcome.rowsRejected = sink.rejected
        outcome.rejects = sink.rejects
        outcome.coverage = coverage(present: sink.departements)
        // A few bad rows are normal in official files; many mean the wrong file or a format change.
        if sink.rejected > 10 && Double(sink.rejected) > maxRejectRatio * Double(max(read, 1)) {
            let first = sink.rejects.first.map { " (first: line \($0.line): \($0.reason))" } ?? ""
            throw SourceError(
                source: spec.name,
                "\(sink.rejected) of \(read) rows rejected, over max_reject_ratio = \(maxRejectRatio)\(first); "
                    + "previous data kept"
            )
        }
        // An empty file (a header only, an empty Overpass answer) is a broken download, never "no data".
        if read == 0 || sink.loaded == 0 && sink.rejected > 0 {
            throw SourceError(source: spec.name, "the file holds no usable data rows; previous data kept")
        }
        return outcome
    }

    /// What the file describes: as stated, else every commune for Sirene and OSM (national
    /// registers of establishments and objects), else the départements it holds rows of.
    private func coverage(present: Set<String>) -> Coverage? {
        if let declaredCoverage { return declaredCoverage }
        if spec.kind.isReference { return nil }
        return spec.kind.coversEveryCommune ? .national : .departements(present)
    }
}
