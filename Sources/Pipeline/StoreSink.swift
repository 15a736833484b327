import Adapters
import Catalog
import Fetching
import Formats
import Geo
import Store
import Territory

/// Receives an adapter's records, translates their codes to the target geography and writes them.
///
/// Lives only inside ``Store/load(_:_:)``, which writes the source's new generation.
final class StoreSink: RecordSink {
    private let writer: SourceWriter
    private let spec: SourceSpec
    private let translator: CodeTranslator?
    private let locator: CommuneLocator?
    private let maxRejectsKept: Int
    private let cancellation: CancellationFlag

    /// Rows of the file loaded, and records received.
    private(set) var loaded = 0
    private var records = 0
    private(set) var rejected = 0
    private(set) var rejects: [RejectedRow] = []
    private var unmapped: [String: UnmappedCode] = [:]
    private var lastTranslation: (code: CommuneCode, result: Result<CommuneCode, TranslationError>)?
    /// Communes whose equipment counts are written: the files list each commune's rows together,
    /// so that most are written as they come, and committed while the parse goes on.
    private var written = Set<CommuneCode>()
    /// Counts of communes met again after they were written, by commune and type: written at the
    /// end, one more row per commune at most (readers sum them), however the file is sorted.
    private var stragglers: [CommuneCode: [String: Int]] = [:]
    /// Départements of the codes read, in the file's geography: the territory the file describes
    /// unless its config states it.
    private(set) var departements = Set<String>()

    init(
        writer: SourceWriter, spec: SourceSpec, translator: CodeTranslator?, locator: CommuneLocator?,
        maxRejectsKept: Int, cancellation: CancellationFlag
    ) {
        self.cancellation = cancellation
        self.writer = writer
        self.spec = spec
        self.translator = translator
        self.locator = locator
        self.maxRejectsKept = maxRejectsKept
    }

    func reject(line: Int, reason: String) throws {
        rejected += 1
        if rejects.count < maxRejectsKept { rejects.append(RejectedRow(line: line, reason: reason)) }
    }

    /// The target commune of `code`; records it as unmapped (with `amount`) when there is none.
    private func target(_ code: CommuneCode, amount: Int = 1) -> CommuneCode? {
        guard let translator else { return code }
        // The files list each commune's rows together: the last translation is most often the one.
        let result: Result<CommuneCode, TranslationError>
        if let last = lastTranslation, last.code == code {
            result = last.result
        } else {
            result = translator.translate(code, geographyYear: spec.geographyYear)
            lastTranslation = (code, result)
        }
        switch result {
        case .success(let c): return c
        case .failure(let error):
            let key = code.rawValue
            unmapped[key, default: UnmappedCode(code: key, reason: error.failure.rawValue, rows: 0, amount: 0)].rows +=
                1
            unmapped[key]!.amount += amount
            return nil
        }
    }

    func emit(_ record: SourceRecord, line: Int, rows: Int) throws {
        // A stopping daemon abandons the load: its rows are deleted, the old data stays.
        records += 1
        if records & 0x1FFF == 0, cancellation.isSet { throw CancellationError() }
        switch record {
        case .commune(let c):
            try writer.commune(type: c.type, code: c.code, name: c.name, dep: c.dep, reg: c.reg, parent: c.parent)
        case .mouvement(let m):
            try writer.mouvement(
                mod: m.mod, date: m.date, typeBefore: m.typeBefore, codeBefore: m.codeBefore, nameBefore: m.nameBefore,
                typeAfter: m.typeAfter, codeAfter: m.codeAfter, nameAfter: m.nameAfter)
        case .population(let code, let pmun, let pcap, let ptot):
            note(code)
            try writer.population(code: code, commune: target(code, amount: pmun), pmun: pmun, pcap: pcap, ptot: ptot)
        case .centroid(let code, let name, let p):
            note(code)
            try writer.centroid(code: code, commune: target(code), name: name, lat: p.lat, lon: p.lon)
        case .contour(let code, let name, let shape):
            note(code)
            let b = shape.bounds
            try writer.contour(
                code: code, commune: target(code), name: name, geometry: GeoJSONGeometry.encode(shape),
                minLat: b.min.lat, minLon: b.min.lon, maxLat: b.max.lat, maxLon: b.max.lon)
        case .facilityCounts(let code, let counts):
            try add(counts, in: code)
        case .site(let site):
            try write(site)
        }
        loaded += rows
        writer.rowsLoaded = loaded
    }

    private func note(_ code: CommuneCode) { departements.insert(code.departement) }

    private func write(_ site: Site) throws {
        var commune: CommuneCode?
        var method: LocationMethod?
        if let code = site.code {
            commune = target(code)
            method = .code
        } else if let position = site.position, let located = locator?.locate(position) {
            commune = located.commune
            method = located.method
        }
        try writer.site(
            code: site.code, commune: commune, type: site.type, externalID: site.externalID,
            name: site.nonDiffusible ? nil : site.name, address: site.nonDiffusible ? nil : site.address,
            lat: site.position?.lat, lon: site.position?.lon,
            usable: site.usableForDistance, opened: site.opened, closed: site.closed, active: site.active,
            nonDiffusible: site.nonDiffusible, method: method)
    }

    /// Writes a commune's counts as they come, the first time it is met; adds them up with the
    /// stragglers' after.
    private func add(_ counts: [TypeCount], in code: CommuneCode) throws {
        guard written.insert(code).inserted else {
            for c in counts { stragglers[code, default: [:]][c.type, default: 0] += c.count }
            return
        }
        try writeEquipment(code: code, counts)
    }

    /// Writes the counts of commune `code`, by type.
    private func writeEquipment(code: CommuneCode, _ counts: [String: Int]) throws {
        try writeEquipment(
            code: code, counts.sorted { $0.key < $1.key }.map { TypeCount(type: $0.key, count: $0.value) })
    }

    /// Writes commune `code`'s counts, sorted by type.
    private func writeEquipment(code: CommuneCode, _ counts: [TypeCount]) throws {
        guard !counts.isEmpty else { return }
        let commune = target(code, amount: counts.reduce(0) { $0 + $1.count })
        note(code)
        try writer.equipment(code: code, commune: commune, counts: counts)
    }

    /// Writes the stragglers' equipment counts and returns the unmapped codes, largest first.
    func finish() throws -> [UnmappedCode] {
        for (code, counts) in stragglers.sorted(by: { $0.key < $1.key }) { try writeEquipment(code: code, counts) }
        return unmapped.values.sorted { ($0.amount, $0.code) > ($1.amount, $1.code) }
    }
}
