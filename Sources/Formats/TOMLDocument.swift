import Foundation

/// A small TOML reader for ruralmapd's config: tables, arrays of tables, strings, integers,
/// floats, booleans, arrays and inline tables — with the line of every key, so that errors can
/// say where they are. (Written in-house: TOMLKit does not expose source positions.)
public struct TOMLDocument: Sendable {
    /// A value with the line it was written on.
    public indirect enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case float(Double)
        case bool(Bool)
        case array([Value])
        case table(Table)
    }

    /// A table: its keys in file order, each with its value and line.
    public struct Table: Sendable, Equatable {
        public var entries: [(key: String, value: Value, line: Int)] = []
        public var line: Int

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
        enum Target {
            case root
            case table(String)
            case array(String)
        }
        var target = Target.root
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[...]
        var lineNumber = 0
        while let raw = lines.popFirst() {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                guard let end = line.range(of: "]]") else {
                    throw ConfigError(line: lineNumber, "unterminated [[table]] header")
                }
                let name = String(line[line.index(line.startIndex, offsetBy: 2)..<end.lowerBound]).trimmingCharacters(
                    in: .whitespaces)
                try Self.checkTrailing(line[end.upperBound...], line: lineNumber)
                arrays[name, default: []].append(Table(line: lineNumber))
                target = .array(name)
                continue
            }
            if line.hasPrefix("[") {
                guard let end = line.firstIndex(of: "]") else {
                    throw ConfigError(line: lineNumber, "unterminated [table] header")
                }
                let name = String(line[line.index(after: line.startIndex)..<end]).trimmingCharacters(in: .whitespaces)
                try Self.checkTrailing(line[line.index(after: end)...], line: lineNumber)
                guard tables[name] == nil else { throw ConfigError(line: lineNumber, "table [\(name)] defined twice") }
                tables[name] = Table(line: lineNumber)
                target = .table(name)
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw ConfigError(line: lineNumber, "expected key = value") }
            var key = line[..<eq].trimmingCharacters(in: .whitespaces)
            if key.hasPrefix("\"") && key.hasSuffix("\"") && key.count >= 2 { key = String(key.dropFirst().dropLast()) }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw ConfigError(line: lineNumber, "invalid key \(key.isEmpty ? "(empty)" : key)")
            }
            var rest = Substring(line[line.index(after: eq)...])
            // Arrays may span lines: gather until brackets balance.
            let startLine = lineNumber
            while Self.bracketDepth(rest) > 0, let more = lines.popFirst() {
                lineNumber += 1
                rest += "\n" + more
            }
            var parser = ValueParser(text: rest, line: startLine)
            let value = try parser.parseValue()
            try parser.expectEnd()
            func add(_ table: inout Table) throws {
                guard table[key] == nil else { throw ConfigError(line: startLine, "key \(key) defined twice") }
                table.entries.append((key, value, startLine))
            }
            switch target {
            case .root: try add(&root)
            case .table(let name): try add(&tables[name]!)
            case .array(let name): try add(&arrays[name]![arrays[name]!.count - 1])
            }
        }
    }

    private static func checkTrailing(_ rest: Substring, line: Int) throws {
        let t = rest.trimmingCharacters(in: .whitespaces)
        guard t.isEmpty || t.hasPrefix("#") else { throw ConfigError(line: line, "unexpected text after table header") }
    }

    /// Open `[`/`{` minus closed ones outside strings and comments.
    private static func bracketDepth(_ text: Substring) -> Int {
        var depth = 0
        var inString: Character? = nil
        var escaped = false
        for c in text {
            if let q = inString {
                if escaped {
                    escaped = false
                } else if c == "\\" && q == "\"" {
                    escaped = true
                } else if c == q {
                    inString = nil
                }
                continue
            }
            switch c {
            case "\"", "'": inString = c
            case "#": return depth  // comment: ignore the rest of this line only, conservatively
            case "[", "{": depth += 1
            case "]", "}": depth -= 1
            default: break
            }
        }
        return depth
    }

    private struct ValueParser {
        var chars: [Character]
        var i = 0
        let line: Int

        init(text: Substring, line: Int) {
            chars = Array(text)
            self.line = line
        }

        mutating func skip() {
            while i < chars.count {
                if chars[i] == " " || chars[i] == "\t" || chars[i] == "\n" || chars[i] == "\r" {
                    i += 1
                } else if chars[i] == "#" {
                    while i < chars.count && chars[i] != "\n" { i += 1 }
                } else {
                    break
                }
            }
        }

        mutating func expectEnd() throws {
            skip()
            guard i == chars.count else { throw ConfigError(line: line, "unexpected text after value") }
        }

        mutating func parseValue() throws -> Value {
            skip()
            guard i < chars.count else { throw ConfigError(line: line, "missing value") }
            switch chars[i] {
            case "\"": return .string(try basicString())
            case "'":
                i += 1
                var s = ""
                while i < chars.count && chars[i] != "'" {
                    s.append(chars[i])
                    i += 1
                }
                guard i < chars.count else { throw ConfigError(line: line, "unterminated string") }
                i += 1
                return .string(s)
            case "[":
                i += 1
                var items: [Value] = []
                while true {
                    skip()
                    guard i < chars.count else { throw ConfigError(line: line, "unterminated array") }
                    if chars[i] == "]" {
                        i += 1
                        return .array(items)
                    }
                    items.append(try parseValue())
                    skip()
                    if i < chars.count && chars[i] == "," {
                        i += 1
                    } else if i < chars.count && chars[i] == "]" {
                        continue
                    } else {
                        throw ConfigError(line: line, "expected , or ] in array")
                    }
                }
            case "{":
                i += 1
                var table = Table(line: line)
                while true {
                    skip()
                    guard i < chars.count else { throw ConfigError(line: line, "unterminated inline table") }
                    if chars[i] == "}" {
                        i += 1
                        return .table(table)
                    }
                    var key = ""
                    while i < chars.count
                        && (chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "-")
                    {
                        key.append(chars[i])
                        i += 1
                    }
                    guard !key.isEmpty else { throw ConfigError(line: line, "invalid key in inline table") }
                    skip()
                    guard i < chars.count && chars[i] == "=" else {
                        throw ConfigError(line: line, "expected = in inline table")
                    }
                    i += 1
                    table.entries.append((key, try parseValue(), line))
                    skip()
                    if i < chars.count && chars[i] == "," { i += 1 }
                }
            default:
                var token = ""
                while i < chars.count && !" \t\n\r,]}#".contains(chars[i]) {
                    token.append(chars[i])
                    i += 1
                }
                if token == "true" { return .bool(true) }
                if token == "false" { return .bool(false) }
                let digits = token.replacingOccurrences(of: "_", with: "")
                if let n = Int(digits) { return .integer(n) }
                if let d = Double(digits), d.isFinite { return .float(d) }
                throw ConfigError(line: line, "invalid value \(token.isEmpty ? "(empty)" : token)")
            }
        }

        mutating func basicString() throws -> String {
            i += 1
            var s = ""
            while i < chars.count && chars[i] != "\"" {
                if chars[i] == "\n" { throw ConfigError(line: line, "newline in string") }
                if chars[i] == "\\" {
                    i += 1
                    guard i < chars.count else { break }
                    switch chars[i] {
                    case "n": s.append("\n")
                    case "t": s.append("\t")
                    case "\"": s.append("\"")
                    case "\\": s.append("\\")
                    default: throw ConfigError(line: line, "unsupported escape \\\(chars[i])")
                    }
                } else {
                    s.append(chars[i])
                }
                i += 1
            }
            guard i < chars.count else { throw ConfigError(line: line, "unterminated string") }
            i += 1
            return s
        }
    }
}

/// A configuration error, with the line and key it concerns.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let line: Int?
    public let message: String
    public var file: String?

    public init(line: Int?, _ message: String, file: String? = nil) {
        self.line = line
        self.message = message
        self.file = file
    }

    public var description: String {
        [file, line.map { "line \($0)" }].compactMap { $0 }.joined(separator: ":")
            + (file == nil && line == nil ? "" : ": ") + message
    }
}
