/// A streaming JSON reader: parses one array element at a time out of documents too large for memory.
///
/// GeoJSON FeatureCollections and Overpass answers are a big array inside a small object. The
/// reader walks the object, hands each element of the named array to a closure as soon as it is
/// parsed, and returns the other members (such as Overpass' `remark`).
///
/// ```swift
/// let reader = JSONStreamReader(source: try FileByteSource(path: "contours.geojson"))
/// try reader.forEachElement(ofArray: "features") { feature in print(feature["id"] ?? .null) }
/// ```
public final class JSONStreamReader {
    private let source: ByteSource
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0
    private var done = false
    private var elementBudget = 0
    /// Bytes consumed so far (for progress and error positions).
    public private(set) var offset: Int64 = 0

    /// The deepest nesting accepted.
    public let maxDepth: Int
    /// The most scalar values (numbers, strings…) one element may contain: caps memory for
    /// hostile inputs such as a polygon ring with a billion points.
    public let maxValuesPerElement: Int
    /// The longest string accepted, in bytes.
    public let maxStringBytes: Int

    public init(
        source: ByteSource, maxDepth: Int = 64, maxValuesPerElement: Int = 20_000_000, maxStringBytes: Int = 16 << 20
    ) {
        self.source = source
        self.maxDepth = maxDepth
        self.maxValuesPerElement = maxValuesPerElement
        self.maxStringBytes = maxStringBytes
    }

    /// Parses the whole document as one value (for small documents).
    public func readDocument() throws -> JSONValue {
        elementBudget = maxValuesPerElement
        let value = try parseValue(depth: 0)
        try skipWhitespace()
        guard try peek() == nil else { throw error("trailing characters after the JSON document") }
        return value
    }

    /// Streams the elements of the array found under `key` in the top-level object, or of the
    /// top-level array itself, calling `body` for each one.
    /// - Returns: the other members of the top-level object (empty for a top-level array).
    /// - Throws: ``FormatError`` `.syntax` with the byte offset, `.tooLarge` past the caps,
    ///   and whatever `body` throws.
    @discardableResult
    public func forEachElement(ofArray key: String, _ body: (JSONValue) throws -> Void) throws -> [String: JSONValue] {
        try skipWhitespace()
        var others: [String: JSONValue] = [:]
        switch try peek() {
        case UInt8(ascii: "["):
            try streamArray(body)
        case UInt8(ascii: "{"):
            advance()
            var found = false
            try skipWhitespace()
            if try peek() == UInt8(ascii: "}") {
                advance()
            } else {
                while true {
                    try skipWhitespace()
                    let name = try parseString()
                    try skipWhitespace()
                    try expect(UInt8(ascii: ":"))
                    try skipWhitespace()
                    if name == key, try peek() == UInt8(ascii: "[") {
                        found = true
                        try streamArray(body)
                    } else {
                        elementBudget = maxValuesPerElement
                        others[name] = try parseValue(depth: 1)
                    }
                    try skipWhitespace()
                    guard let c = try peek() else { throw error("unexpected end of document", code: .truncated) }
                    advance()
                    if c == UInt8(ascii: "}") { break }
                    guard c == UInt8(ascii: ",") else { throw error("expected , or } in object") }
                }
            }
            guard found else { throw FormatError(.syntax, "the document has no \"\(key)\" array") }
        case nil:
            throw FormatError(.truncated, "empty document")
        default:
            throw error("expected a JSON object or array")
        }
        try skipWhitespace()
        guard try peek() == nil else { throw error("trailing characters after the JSON document") }
        return others
    }

    private func streamArray(_ body: (JSONValue) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        try skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            advance()
            return
        }
        while true {
            try skipWhitespace()
            elementBudget = maxValuesPerElement
            try body(try parseValue(depth: 1))
            try skipWhitespace()
            guard let c = try peek() else {
                throw error("unexpected end of document inside an array", code: .truncated)
            }
            advance()
            if c == UInt8(ascii: "]") { return }
            guard c == UInt8(ascii: ",") else { throw error("expected , or ] in array") }
        }
    }

    // MARK: - Values

    private func parseValue(depth: Int) throws -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)", code: .tooLarge) }
        elementBudget -= 1
        guard elementBudget >= 0 else {
            throw error("element has more than \(maxValuesPerElement) values", code: .tooLarge)
        }
        try skipWhitespace()
        guard let c = try peek() else { throw error("unexpected end of document", code: .truncated) }
        switch c {
        case UInt8(ascii: "{"):
            advance()
            var members: [String: JSONValue] = [:]
            try skipWhitespace()
            if try peek() == UInt8(ascii: "}") {
                advance()
                return .object(members)
            }
            while true {
                try skipWhitespace()
                let name = try parseString()
                try skipWhitespace()
                try expect(UInt8(ascii: ":"))
                members[name] = try parseValue(depth: depth + 1)
                try skipWhitespace()
                guard let c = try peek() else { throw error("unexpected end of document", code: .truncated) }
                advance()
                if c == UInt8(ascii: "}") { return .object(members) }
                guard c == UInt8(ascii: ",") else { throw error("expected , or } in object") }
            }
        case UInt8(ascii: "["):
            advance()
            var items: [JSONValue] = []
            try skipWhitespace()
            if try peek() == UInt8(ascii: "]") {
                advance()
                return .array(items)
            }
            while true {
                items.append(try parseValue(depth: depth + 1))
                try skipWhitespace()
                guard let c = try peek() else { throw error("unexpected end of document", code: .truncated) }
                advance()
                if c == UInt8(ascii: "]") { return .array(items) }
                guard c == UInt8(ascii: ",") else { throw error("expected , or ] in array") }
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            return .number(try parseNumber())
        }
    }

    private func parseNumber() throws -> Double {
        var text: [UInt8] = []
        while let c = try peek(),
            c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || (c >= 0x30 && c <= 0x39)
        {
            text.append(c)
            advance()
            if text.count > 64 { throw error("number too long") }
        }
        guard !text.isEmpty, let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else {
            throw error("invalid value")
        }
        return value
    }

    private func literal(_ word: String) throws {
        for expected in word.utf8 {
            guard try peek() == expected else { throw error("invalid literal, expected \(word)") }
            advance()
        }
    }

    private func parseString() throws -> String {
        try expect(UInt8(ascii: "\""))
        var bytes: [UInt8] = []
        while true {
            guard let c = try peek() else { throw error("unterminated string", code: .truncated) }
            advance()
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") {
                guard let e = try peek() else { throw error("unterminated string", code: .truncated) }
                advance()
                switch e {
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        // A surrogate pair encodes one scalar beyond the BMP.
                        try expect(UInt8(ascii: "\\"))
                        try expect(UInt8(ascii: "u"))
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw error("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    bytes.append(contentsOf: Array(String(Character(u)).utf8))
                default: bytes.append(e)
                }
            } else {
                guard c >= 0x20 else { throw error("control character in string") }
                bytes.append(c)
            }
            if bytes.count > maxStringBytes {
                throw error("string longer than \(maxStringBytes) bytes", code: .tooLarge)
            }
        }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw error("invalid UTF-8 in string", code: .encoding)
        }
        return s
    }

    private func hex4() throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let c = try peek() else { throw error("unterminated escape", code: .truncated) }
            advance()
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
        }
        return v
    }

    // MARK: - Bytes

    @inline(__always) private func peek() throws -> UInt8? {
        if start == end {
            guard !done else { return nil }
            end = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            start = 0
            if end == 0 {
                done = true
                return nil
            }
        }
        return buffer[start]
    }

    @inline(__always) private func advance() {
        start += 1
        offset += 1
    }

    private func skipWhitespace() throws {
        while let c = try peek(), c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { advance() }
    }

    private func expect(_ c: UInt8) throws {
        guard try peek() == c else { throw error("expected '\(Character(Unicode.Scalar(c)))'") }
        advance()
    }

    private func error(_ message: String, code: FormatError.Code = .syntax) -> FormatError {
        FormatError(code, "JSON at byte \(offset): \(message)")
    }
}
