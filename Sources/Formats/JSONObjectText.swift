/// Writes a JSON object field by field, by hand: `JSONSerialization` per value cost more than the
/// rest of a national export (measured), and each field's type is known here.
public struct JSONObjectText {
    /// The object so far, as UTF-8: appending bytes costs less than appending strings, each
    /// append of which checks and updates the string's storage.
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    /// An empty object; `capacity`: the bytes to reserve for it (each growth of a small buffer
    /// is a new allocation and a copy: four for a map's commune).
    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    private mutating func key(_ key: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        JSONObjectText.append(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func null() { bytes.append(contentsOf: "null".utf8) }

    public mutating func add(_ name: String, _ value: String?) {
        key(name)
        if let value { JSONObjectText.append(value, to: &bytes) } else { null() }
    }

    public mutating func add(_ name: String, _ value: Int?) {
        key(name)
        if let value { bytes.append(contentsOf: String(value).utf8) } else { null() }
    }

    public mutating func add(_ name: String, _ value: Double?) {
        key(name)
        if let value { bytes.append(contentsOf: JSONObjectText.number(value).utf8) } else { null() }
    }

    public mutating func add(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// An array of string literals, written in place.
    public mutating func add(_ name: String, strings: some Sequence<String>) {
        key(name)
        JSONObjectText.append(strings, to: &bytes)
    }

    /// A value already written as JSON.
    public mutating func add(_ name: String, json: String) {
        key(name)
        bytes.append(contentsOf: json.utf8)
    }

    /// The object with its closing brace (the object itself may still get more fields).
    public var closed: String {
        String(unsafeUninitializedCapacity: bytes.count + 1) { text in
            _ = text.initialize(from: bytes)
            text[bytes.count] = UInt8(ascii: "}")
            return bytes.count + 1
        }
    }

    /// A JSON string literal (RFC 8259 escapes; `/` left as is).
    public static func string(_ s: String) -> String {
        var out: [UInt8] = []
        append(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `s` as a JSON string literal to `out`.
    private static func append(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: escaped(s).utf8)  // `s` itself when nothing needs escaping
        out.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// `s` with its quotes, backslashes and control characters escaped.
    private static func escaped(_ s: String) -> String {
        s.escaped(
            where: needsEscape,
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
    }

    /// `\u00XX` for a control character.
    private static func controlEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// A JSON array of string literals.
    public static func array(_ strings: some Sequence<String>) -> String {
        var out: [UInt8] = []
        append(strings, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `strings` as a JSON array of string literals to `out`.
    private static func append(_ strings: some Sequence<String>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, s) in strings.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            append(s, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    public static func number(_ d: Double) -> String {
        d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)") : "null"
    }
}
