/// The text encodings French open data comes in: UTF-8 (with or without BOM) and Latin-1 / CP1252.
public enum TextEncoding: String, Sendable {
    case utf8
    /// ISO-8859-1 with the Windows-1252 additions (€, œ, curly quotes) that INSEE's older files use.
    case windows1252

    /// Guesses the encoding of a sample taken from the start of a file.
    ///
    /// A sample that is valid UTF-8 (allowing a character cut at its end) is UTF-8; otherwise it is
    /// Windows-1252. UTF-16 is refused: no source publishes it and reading it as bytes would be garbage.
    /// - Throws: ``FormatError`` `.encoding` for UTF-16 byte-order marks.
    public static func detect(sample: some Collection<UInt8>) throws -> TextEncoding {
        let bytes = Array(sample)
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw FormatError(.encoding, "UTF-16 text is not supported; convert the file to UTF-8")
        }
        var end = bytes.count
        // Drop a multi-byte character cut by the sample boundary.
        var back = 0
        while back < 3, end > 0, bytes[end - 1] & 0xC0 == 0x80 {
            end -= 1
            back += 1
        }
        if end > 0, bytes[end - 1] >= 0xC0 { end -= 1 }
        return isValidUTF8(bytes[0..<end]) ? .utf8 : .windows1252
    }

    /// Whether `bytes` is well-formed UTF-8, checked by the standard library's validation of a
    /// `UTF8Span` (2.5 times as fast as decoding scalar by scalar: a record with an accent is
    /// checked whole, a national BPE's names and addresses have many).
    public static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        (try? UTF8Span(validating: bytes.span)) != nil
    }

    /// Whether `bytes` is well-formed UTF-8.
    public static func isValidUTF8(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.withContiguousStorageIfAvailable { isValidUTF8($0) }
            ?? Array(bytes).withUnsafeBufferPointer { isValidUTF8($0) }
    }

    /// Whether every byte is ASCII (then valid UTF-8 and Windows-1252 alike), without decoding.
    @inlinable public static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var high: UInt8 = 0
        for byte in bytes { high |= byte }
        return high < 0x80
    }

    /// Decodes `bytes`; returns nil for malformed UTF-8 so the caller can reject the row.
    public func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        switch self {
        case .utf8:
            // Pure ASCII is valid UTF-8 by construction: decoded without validation. The
            // validating initialiser is generic code not specialised here: it looked its
            // metadata up at run time, for every field (a tenth of a national BPE parse).
            if Self.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
            return String(validating: bytes, as: UTF8.self)
        case .windows1252:
            var scalars = String.UnicodeScalarView()
            for byte in bytes {
                if byte >= 0x80 && byte <= 0x9F, let mapped = Self.cp1252High[Int(byte - 0x80)] {
                    scalars.append(mapped)
                } else {
                    scalars.append(Unicode.Scalar(byte))
                }
            }
            return String(scalars)
        }
    }

    private static let cp1252High: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{02C6}", "\u{2030}", "\u{0160}", "\u{2039}", "\u{0152}", nil, "\u{017D}", nil,
        nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}", "\u{0178}",
    ]
}
