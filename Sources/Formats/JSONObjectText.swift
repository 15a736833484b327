/// Writes a JSON object field by field, by hand: `JSONSerialization` per value cost more than the
/// rest of a national export (measured), and each field's type is known here.
public struct JSONObjectText {
    public private(set) var text = "{"

    /// An empty object; `capacity`: the characters to reserve for it (each growth of a small text
    /// is a new allocation and a copy: four for a map's commune).
    public init(capacity: Int = 0) { text.reserveCapacity(capacity) }

    private mutating func key(_ key: String) {
        // After the first field (`utf8.count` is stored; `count` would walk the whole text).
        if text.utf8.count > 1 { text += "," }
        JSONObjectText.append(key, to: &text)
        text += ":"
    }

    public mutating func add(_ name: String, _ value: String?) {
        key(name)
        if let value { JSONObjectText.append(value, to: &text) } else { text += "null" }
    }

    public mutating func add(_ name: String, _ value: Int?) {
        key(name)
        text += value.map(String.init) ?? "null"
    }

    public mutating func add(_ name: String, _ value: Double?) {
        key(name)
        text += value.map(JSONObjectText.number) ?? "null"
    }

    public mutating func add(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    /// An array of string literals, written in place.
    public mutating func add(_ name: String, strings: some Sequence<String>) {
        key(name)
        JSONObjectText.append(strings, to: &text)
    }

    /// A value already written as JSON.
    public mutating func add(_ name: String, json: String) {
        key(name)
        text += json
    }

    public var closed: String { text + "}" }

    /// A JSON string literal (RFC 8259 escapes; `/` left as is).
    public static func string(_ s: String) -> String {
        var out = ""
        append(s, to: &out)
        return out
    }

    /// Appends `s` as a JSON string literal to `out`.
    public static func append(_ s: String, to out: inout String) {
        out += "\""
        out += s.escaped(
            where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") },
            by: { u in
                switch u {
                case "\"": "\\\""
                case "\\": "\\\\"
                case "\n": "\\n"
                case "\r": "\\r"
                case "\t": "\\t"
                case _ where u.value < 0x20: controlEscape(u.value)
                default: nil
                }
            })
        out += "\""
    }

    /// `\u00XX` for a control character.
    private static func controlEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// A JSON array of string literals.
    public static func array(_ strings: some Sequence<String>) -> String {
        var out = ""
        append(strings, to: &out)
        return out
    }

    /// Appends `strings` as a JSON array of string literals to `out`.
    private static func append(_ strings: some Sequence<String>, to out: inout String) {
        out += "["
        for (i, s) in strings.enumerated() {
            if i > 0 { out += "," }
            append(s, to: &out)
        }
        out += "]"
    }

    public static func number(_ d: Double) -> String {
        d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)") : "null"
    }
}
