/// The file formats ruralmapd writes.
public enum ExportFormat: String, Sendable, CaseIterable {
    case csv, geojson
}

/// What an export holds.
public enum ExportSelection: String, Sendable, CaseIterable {
    /// Current candidates, by rank.
    case candidates
    /// Every commune of the selection with its flags.
    case communes
    /// The premises of the communes of the selection (cafés, restaurants, groceries, open and
    /// closed, and the team's premises), as points.
    case sites
}

/// One `[[export]]` that `run` and the daemon rewrite after each analysis.
public struct ExportSettings: Sendable, Equatable {
    public var format: ExportFormat
    public var what: ExportSelection
    public var departements: [String]
    public var output: String
    public var excel: Bool

    public init(
        format: ExportFormat, what: ExportSelection, departements: [String], output: String, excel: Bool = false
    ) {
        self.format = format
        self.what = what
        self.departements = departements
        self.output = output
        self.excel = excel
    }
}
