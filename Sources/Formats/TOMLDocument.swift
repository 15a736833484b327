import TOMLKit

/// A TOML document as ruralmapd's config reads it: the top-level keys, the `[name]` tables and
/// the `[[name]]` arrays of tables, each key with the line it is written on, so that errors can
/// say where they are.
///
/// Parsed by TOMLKit (toml++, TOML 1.0 conformant: what Python's `tomllib` reads, this reads —
/// checked by a differential test); the lines come from ``TOMLKeyLines``, which reads the text
/// again knowing it is valid.
public struct TOMLDocument: Sendable {
    /// A value.
    public indirect enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case float(Double)
        case bool(Bool)
        /// A date, a time or a date-time, as ISO 8601 text (`1979-05-27T07:32:00Z`).
        case datetime(String)
        case array([Value])
        case table(Table)
    }

    /// A table: its keys in file order, each with its value and line.
    public struct Table: Sendable, Equatable {
        public var entries: [(key: String, value: Value, line: Int)] = []
        public var line: Int

        public init(line: Int) { self.line = line }

        public subscript(key: String) -> (value: Value, line: Int)? {
            entries.first { $0.key == key }.map { ($0.value, $0.line) }
        }

        public static func == (a: Table, b: Table) -> Bool {
            a.line == b.line && a.entries.map(\.key) == b.entries.map(\.key)
                && a.entries.map(\.value) == b.entries.map(\.value)
        }
    }

    public var root = Table(line: 1)
    /// `[[name]]` arrays of tables.
    public var arrays: [String: [Table]] = [:]
    /// `[name]` tables.
    public var tables: [String: Table] = [:]

    /// Parses `text`.
    /// - Throws: ``ConfigError`` with the line of the first syntax error.
    public init(parsing text: String) throws {
        let parsed: TOMLTable
        do {
            parsed = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(line: error.source.begin.line, error.description)
        }
        let lines = TOMLKeyLines(text)
        for key in parsed.keys {
            guard let value = parsed[key] else { continue }
            let line = lines.line(of: key, in: "") ?? 1
            if let table = value.table, !table.inline {
                let header = lines.headers[key]?.first ?? line
                tables[key] = Self.table(table, instance: key, header: header, lines: lines)
            } else if let array = value.array, !array.isEmpty,
                array.allSatisfy({ $0.table.map { !$0.inline } ?? false })
            {
                arrays[key] = array.enumerated().map { i, element in
                    let instance = "\(key)#\(i)"
                    let header = lines.headers[key]?.dropFirst(i).first ?? line
                    return Self.table(element.table!, instance: instance, header: header, lines: lines)
                }
            } else {
                root.entries.append((key, Self.value(value, line: line), line))
            }
        }
        root.entries.sort { $0.line < $1.line }
    }

    /// A table of the document, its keys placed on their lines (the header's when not found).
    private static func table(_ table: TOMLTable, instance: String, header: Int, lines: TOMLKeyLines) -> Table {
        var out = Table(line: header)
        for key in table.keys {
            guard let value = table[key] else { continue }
            let line = lines.line(of: key, in: instance) ?? header
            out.entries.append((key, Self.value(value, line: line), line))
        }
        out.entries.sort { $0.line < $1.line }
        return out
    }

    /// A value; tables within it (inline, or from dotted keys) take the line of their key.
    private static func value(_ value: any TOMLValueConvertible, line: Int) -> Value {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return .integer(value.int ?? 0)
        case .double: return .float(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .date: return .datetime(value.date.map(Self.text) ?? "")
        case .time: return .datetime(value.time.map(Self.text) ?? "")
        case .dateTime: return .datetime(value.dateTime.map(Self.text) ?? "")
        case .array: return .array((value.array.map(Array.init) ?? []).map { Self.value($0, line: line) })
        case .table:
            var out = Table(line: line)
            for key in value.table?.keys ?? [] {
                if let inner = value.table?[key] { out.entries.append((key, Self.value(inner, line: line), line)) }
            }
            return .table(out)
        }
    }

    private static func pad(_ n: Int, _ width: Int = 2) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func text(_ d: TOMLDate) -> String { "\(pad(d.year, 4))-\(pad(d.month))-\(pad(d.day))" }

    static func text(_ t: TOMLTime) -> String {
        var fraction = t.nanoSecond > 0 ? pad(t.nanoSecond, 9) : ""
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(pad(t.hour)):\(pad(t.minute)):\(pad(t.second))" + (fraction.isEmpty ? "" : "." + fraction)
    }

    static func text(_ dt: TOMLDateTime) -> String {
        var out = text(dt.date) + "T" + text(dt.time)
        if let offset = dt.offset?.offset {
            out += offset == 0 ? "Z" : (offset < 0 ? "-" : "+") + pad(abs(offset) / 60) + ":" + pad(abs(offset) % 60)
        }
        return out
    }
}
