/// What every export's encoder shares: the CSV header line (with a BOM for spreadsheets) or the
/// GeoJSON collection's opening, and its closing.
protocol ExportEncoder: Sendable {
    var settings: ExportSettings { get }
    /// The CSV columns, which are also the GeoJSON properties.
    var header: [String] { get }
}

extension ExportEncoder {
    var separator: Character { settings.excel ? ";" : "," }

    var prologue: String {
        switch settings.format {
        case .csv: (settings.excel ? "\u{FEFF}" : "") + header.joined(separator: String(separator)) + "\n"
        case .geojson: "{\"type\":\"FeatureCollection\",\"features\":[\n"
        }
    }

    var epilogue: String { settings.format == .csv ? "" : "\n]}\n" }
}
