import Formats
import Store
import Territory

/// Communes a programme chose, read from a CSV file with a column of commune codes and
/// translated to the target geography like every dataset.
public struct ChosenCommunes: Sendable {
    /// Target communes the file names.
    public var communes: Set<CommuneCode>
    /// Codes that could not be translated to the target geography, in file order.
    public var unknown: [String]
    /// The column read.
    public var column: String

    /// Column names tried, in order, when none is given.
    static let codeColumns = [
        "com_insee_2026", "com_insee", "code_insee", "insee", "insee_com", "codgeo", "depcom", "com", "code",
    ]

    /// Reads `path`. The code column is `column`, else the first of ``codeColumns`` present, else
    /// the first column whose header mentions `insee`.
    /// - Throws: ``ConfigError`` (no such column, no codes) or the reader's errors.
    public static func read(
        path: String, column: String?, geographyYear: Int, translator: CodeTranslator
    ) throws -> ChosenCommunes {
        let csv = try CSVReader(source: FileByteSource(path: path))
        let names = csv.header.names.map { $0.lowercased() }
        let wanted = column.map { [$0.lowercased()] } ?? codeColumns
        guard
            let index = wanted.lazy.compactMap({ names.firstIndex(of: $0) }).first
                ?? (column == nil ? names.firstIndex { $0.contains("insee") } : nil)
        else {
            throw ConfigError(
                line: 1,
                "no column of commune codes (\(column ?? codeColumns.joined(separator: ", "))); "
                    + "the header has: \(csv.header.names.joined(separator: ", "))", file: path)
        }
        var communes = Set<CommuneCode>()
        var unknown: [String] = []
        while try csv.next() {
            guard let code = csv.string(index)?.trimmingCharacters(in: .whitespaces), !code.isEmpty else { continue }
            switch translator.translate(code, geographyYear: geographyYear) {
            case .success(let target): communes.insert(target)
            case .failure: unknown.append(code)
            }
        }
        guard !communes.isEmpty || !unknown.isEmpty else {
            throw ConfigError(line: nil, "no commune codes in column \(csv.header.names[index])", file: path)
        }
        return ChosenCommunes(communes: communes, unknown: unknown, column: csv.header.names[index])
    }
}
