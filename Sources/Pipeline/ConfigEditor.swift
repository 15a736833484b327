import Formats
import Foundation

/// Rewrites keys of one `[section]` of a TOML config in place, keeping every other line and
/// every comment, so that `ruralmapd calibrate --write` leaves an operator's file as they wrote it.
public enum ConfigEditor {
    /// `text` with each `key = value` of `values` set in `[section]`: an existing line is replaced
    /// (its trailing comment kept), dotted `key.x = …` lines are removed, missing keys are added
    /// after the section header, and a missing section is appended.
    public static func setting(
        _ values: [(key: String, literal: String)], in section: String, of text: String
    ) -> String {
        var lines = text.components(separatedBy: "\n")
        let header = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[\(section)]") }
        guard let header else {
            let block = ["", "[\(section)]"] + values.map { "\($0.key) = \($0.literal)" }
            return (text.hasSuffix("\n") ? String(text.dropLast()) : text) + block.joined(separator: "\n") + "\n"
        }
        let end =
            lines[(header + 1)...].firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[") } ?? lines.count
        var missing: [String] = []
        var removed = IndexSet()
        for (key, literal) in values {
            let own = (header + 1..<end).filter { keyOf(lines[$0]) == key }
            for i in (header + 1..<end) where keyOf(lines[i])?.hasPrefix(key + ".") == true { removed.insert(i) }
            if let first = own.first {
                lines[first] = "\(key) = \(literal)" + trailingComment(lines[first])
                for i in own.dropFirst() { removed.insert(i) }
            } else {
                missing.append("\(key) = \(literal)")
            }
        }
        for i in removed.reversed() { lines.remove(at: i) }
        lines.insert(contentsOf: missing, at: header + 1)
        return lines.joined(separator: "\n")
    }

    /// Writes `text` to the config at `path` after copying the current file to a timestamped
    /// backup beside it; if the new file does not load, the backup is put back.
    /// - Returns: the backup's path.
    /// - Throws: ``ConfigError`` when the new config is invalid (the old one is restored).
    public static func replace(path: String, with text: String) throws -> String {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let backup = "\(path).bak-\(stamp)"
        try FileManager.default.copyItem(atPath: path, toPath: backup)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try Config.load(path: path)
        } catch {
            _ = try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: backup, toPath: path)
            throw error
        }
        return backup
    }

    /// The key a `key = value` line sets, nil for comments, headers and blank lines.
    private static func keyOf(_ line: String) -> String? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, !t.hasPrefix("#"), !t.hasPrefix("["), let eq = t.firstIndex(of: "=") else { return nil }
        return t[..<eq].trimmingCharacters(in: .whitespaces)
    }

    /// ` # comment` at the end of a line whose value holds no string (numbers, inline tables of numbers).
    private static func trailingComment(_ line: String) -> String {
        guard !line.contains("\""), !line.contains("'"), let hash = line.firstIndex(of: "#") else { return "" }
        return "  " + line[hash...]
    }
}
