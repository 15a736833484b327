import Catalog
import Territory

/// What an analysis found for one category in every commune: the flag and the sources behind it,
/// the distance to the nearest site and the people around without one.
///
/// Columns by commune position (in ``Analyzer/Result/communes``), not a record per commune: a
/// national analysis has 383,625 of them, whose records and the index grouping them by commune
/// took 190 MB; the columns take 19. ``flag(at:of:)`` and ``access(at:of:)`` give the records.
public struct CategoryOutcome: Sendable {
    public var category: ServiceCategory
    /// The earliest and latest vintages compared.
    public var vintageFrom: Int?
    public var vintageTo: Int?
    /// What happened to the category in each commune.
    public var flags: [LossFlag]
    /// Sources that had data for the comparison, comma-separated (communes with the same sources
    /// share one string).
    public var sources: [String?]
    /// When sources disagree on today's presence, what each said (`sirene=1 osm=0`), by position:
    /// rare.
    public var disagreements: [Int: String]
    /// Straight-line km to the nearest site today; 0 when the commune has its own. Empty until
    /// the distances are measured (every commune's unknown).
    public var nearestKm: [Double?]
    /// People within the catchment radius living in communes without the category; empty as
    /// ``nearestKm``.
    public var catchmentWithout: [Int?]

    /// The outcome of `category`, each column by commune position (the distance columns empty
    /// when not measured).
    public init(
        category: ServiceCategory, vintageFrom: Int?, vintageTo: Int?, flags: [LossFlag], sources: [String?],
        disagreements: [Int: String] = [:], nearestKm: [Double?] = [], catchmentWithout: [Int?] = []
    ) {
        precondition(sources.count == flags.count, "a column per commune")
        precondition(
            [nearestKm.count, catchmentWithout.count].allSatisfy { $0 == flags.count || $0 == 0 },
            "a distance column per commune, or none yet")
        self.category = category
        self.vintageFrom = vintageFrom
        self.vintageTo = vintageTo
        self.flags = flags
        self.sources = sources
        self.disagreements = disagreements
        self.nearestKm = nearestKm
        self.catchmentWithout = catchmentWithout
    }

    /// The flag of the commune at `position`, whose code is `code`.
    public func flag(at position: Int, of code: CommuneCode) -> FlagRecord {
        FlagRecord(
            commune: code, category: category, flag: flags[position], vintageFrom: vintageFrom, vintageTo: vintageTo,
            sources: sources[position], disagreement: disagreements[position])
    }

    /// The access of the commune at `position`, whose code is `code`.
    public func access(at position: Int, of code: CommuneCode) -> AccessRecord {
        AccessRecord(
            commune: code, category: category, nearestKm: nearestKm.isEmpty ? nil : nearestKm[position],
            catchmentWithout: catchmentWithout.isEmpty ? nil : catchmentWithout[position])
    }
}
