/// Where the keys and headers of a valid TOML document are written: its lines read once, skipping
/// strings, comments and values spread over several lines (multi-line arrays and strings).
///
/// TOMLKit parses but keeps no positions; config errors must name the line of the key they are
/// about, so this finds it after a successful parse (the text is known to be valid TOML).
struct TOMLKeyLines {
    /// The line of each `[name]` header, and of each `[[name]]` in order.
    private(set) var headers: [String: [Int]] = [:]
    /// The first line of each top-level key of each table instance: `""` for the root,
    /// `name` for `[name]`, `name#i` for the i-th `[[name]]`.
    private var keys: [String: [String: Int]] = [:]

    init(_ text: String) {
        var instance = ""
        var scanner = ValueScanner()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard !scanner.continues else {
                scanner.scan(Substring(raw))
                continue
            }
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                let array = line.hasPrefix("[[")
                let name = Self.path(line.dropFirst(array ? 2 : 1).prefix { $0 != "]" })
                headers[name, default: []].append(number)
                instance = array ? "\(name)#\(headers[name]!.count - 1)" : name
                continue
            }
            guard let equals = Self.equalsSign(line) else { continue }
            // A dotted key `a.b = 1` defines `a`: its first component is the table's key.
            let key = Self.components(line[..<equals]).first ?? ""
            if keys[instance]?[key] == nil { keys[instance, default: [:]][key] = number }
            scanner.scan(line[line.index(after: equals)...])
        }
    }

    /// The line of `key` in a table instance.
    func line(of key: String, in instance: String) -> Int? { keys[instance]?[key] }

    /// `a . "b c"` → `a.b c`.
    private static func path(_ text: Substring) -> String { components(text).joined(separator: ".") }

    /// The components of a dotted key, unquoted.
    private static func components(_ text: Substring) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for c in text {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "." {
                parts.append(current.trimmingSpaces)
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current.trimmingSpaces)
        return parts
    }

    /// The `=` of a `key = value` line, outside quoted key components.
    private static func equalsSign(_ line: Substring) -> Substring.Index? {
        var quote: Character?
        for i in line.indices {
            let c = line[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "=" {
                return i
            }
        }
        return nil
    }
}

/// Follows a value across lines: strings (basic, literal, multi-line), comments and the nesting
/// of arrays and inline tables, to know whether the next line still belongs to it.
private struct ValueScanner {
    private enum State { case normal, multilineBasic, multilineLiteral }
    private var state = State.normal
    private var depth = 0

    /// Whether the value goes on to the next line.
    var continues: Bool { state != .normal || depth > 0 }

    mutating func scan(_ text: Substring) {
        let chars = Array(text)
        var i = 0
        func starts(_ s: String, at j: Int) -> Bool {
            let p = Array(s)
            return j + p.count <= chars.count && Array(chars[j..<(j + p.count)]) == p
        }
        while i < chars.count {
            switch state {
            case .multilineBasic:
                if chars[i] == "\\" {
                    i += 2
                } else if starts("\"\"\"", at: i) {
                    // Up to two more quotes may belong to the string.
                    i += 3
                    while i < chars.count && chars[i] == "\"" { i += 1 }
                    state = .normal
                } else {
                    i += 1
                }
            case .multilineLiteral:
                if starts("'''", at: i) {
                    i += 3
                    while i < chars.count && chars[i] == "'" { i += 1 }
                    state = .normal
                } else {
                    i += 1
                }
            case .normal:
                switch chars[i] {
                case "#": return
                case "[", "{": depth += 1
                case "]", "}": depth -= 1
                case "\"":
                    if starts("\"\"\"", at: i) {
                        state = .multilineBasic
                        i += 2
                    } else {
                        i += 1
                        while i < chars.count && chars[i] != "\"" { i += chars[i] == "\\" ? 2 : 1 }
                    }
                case "'":
                    if starts("'''", at: i) {
                        state = .multilineLiteral
                        i += 2
                    } else {
                        i += 1
                        while i < chars.count && chars[i] != "'" { i += 1 }
                    }
                default: break
                }
                i += 1
            }
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
