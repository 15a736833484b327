import GRDBSQLite

/// A value ``RowInserter`` binds. GRDB's `StatementBinding` would do, but it passes a `String` as
/// a C string: a small one (most codes) is copied into an array allocated for each bind, and
/// SQLite then measures its length.
protocol InsertValue {
    /// Binds the value to parameter `index` of `statement`, a text through `texts`; returns
    /// SQLite's result code.
    func bind(to statement: OpaquePointer, at index: CInt, texts: BoundTexts) -> CInt
}

extension String: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt, texts: BoundTexts) -> CInt {
        // Read in place (a native or small string), else through a contiguous copy.
        if let code = utf8.withContiguousStorageIfAvailable({ Self.bind($0, to: statement, at: index, texts: texts) }) {
            return code
        }
        var text = self
        return text.withUTF8 { Self.bind($0, to: statement, at: index, texts: texts) }
    }

    private static func bind(
        _ utf8: UnsafeBufferPointer<UInt8>, to statement: OpaquePointer, at index: CInt, texts: BoundTexts
    ) -> CInt {
        // The copy has an address even when empty: SQLite would bind NULL for none, not "".
        guard let copy = texts.keep(utf8) else {
            return sqlite3_bind_text(statement, index, utf8.baseAddress, CInt(utf8.count), InsertValues.transient)
        }
        return sqlite3_bind_text(statement, index, copy, CInt(utf8.count), nil)  // SQLITE_STATIC
    }
}

/// UTF-8 bytes that stay in place until the row is stepped (a ``SiteBatch``'s): bound as they lie
/// (`SQLITE_STATIC`), not copied.
struct BufferText: InsertValue {
    /// The bytes; nil only for an empty text (an empty buffer may have no address).
    let start: UnsafePointer<UInt8>?
    let count: Int

    func bind(to statement: OpaquePointer, at index: CInt, texts: BoundTexts) -> CInt {
        // SQLite binds NULL for no address: an empty text goes through `texts`, which gives one.
        guard let start, count > 0 else { return "".bind(to: statement, at: index, texts: texts) }
        return sqlite3_bind_text64(statement, index, start, sqlite3_uint64(count), nil, UInt8(SQLITE_UTF8))
    }
}

extension Int: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt, texts: BoundTexts) -> CInt {
        sqlite3_bind_int64(statement, index, Int64(self))
    }
}

extension Int64: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt, texts: BoundTexts) -> CInt {
        sqlite3_bind_int64(statement, index, self)
    }
}

extension Double: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt, texts: BoundTexts) -> CInt {
        sqlite3_bind_double(statement, index, self)
    }
}

extension Bool: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt, texts: BoundTexts) -> CInt {
        sqlite3_bind_int64(statement, index, self ? 1 : 0)
    }
}

extension Optional: InsertValue where Wrapped: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt, texts: BoundTexts) -> CInt {
        self?.bind(to: statement, at: index, texts: texts) ?? sqlite3_bind_null(statement, index)
    }
}

private enum InsertValues {
    /// SQLite copies the text before the bind returns (`SQLITE_TRANSIENT`, not imported in Swift):
    /// for a text too long for ``BoundTexts``.
    static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
