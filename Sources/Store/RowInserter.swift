import GRDB
import GRDBSQLite

/// An insert statement (without `RETURNING`) bound and stepped through SQLite's C API, for the
/// hundreds of thousands of rows an analysis saves or a load writes: building GRDB's
/// `StatementArguments` for each row cost twice what SQLite spends inserting it. Values bind
/// through ``InsertValue``; pass domain values as their `rawValue`.
struct RowInserter {
    private let statement: Statement

    /// Wraps a statement of its own (not a cached one: GRDB's bookkeeping of its arguments does
    /// not see these binds).
    init(_ statement: Statement) {
        self.statement = statement
    }

    private var handle: OpaquePointer { statement.sqliteStatement }

    /// Inserts one row: `values` bound to the statement's parameters in order.
    /// - Throws: `DatabaseError` with SQLite's message (a bind refused, a constraint, a full
    ///   disk); `CancellationError` when the task was cancelled (GRDB interrupts its database).
    func insert<each Value: InsertValue>(_ values: repeat each Value) throws {
        // A parameter pack, not `any InsertValue...`: no array of boxed values per row (their
        // allocations were a tenth of a load's commit thread).
        var index: CInt = 0
        for value in repeat each values {
            index += 1
            let code = value.bind(to: handle, at: index)
            guard code == SQLITE_OK else { throw error(code) }
        }
        precondition(index == sqlite3_bind_parameter_count(handle), "one value per parameter of \(statement.sql)")
        let code = sqlite3_step(handle)
        let failure = code == SQLITE_DONE ? nil : error(code)  // the message, before the reset
        sqlite3_reset(handle)
        if let failure {
            if code == SQLITE_INTERRUPT && Task.isCancelled { throw CancellationError() }
            throw failure
        }
    }

    private func error(_ code: CInt) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))),
            sql: statement.sql)
    }
}

/// A value ``RowInserter`` binds. GRDB's `StatementBinding` would do, but it passes a `String` as
/// a C string: a small one (most codes) is copied into an array allocated for each bind, and
/// SQLite then measures its length.
protocol InsertValue {
    /// Binds the value to parameter `index` of `statement`; returns SQLite's result code.
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt
}

extension String: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt {
        var text = self
        return text.withUTF8 { utf8 in
            // An empty buffer may have no address: SQLite would bind NULL, not "".
            guard let bytes = utf8.baseAddress else {
                return sqlite3_bind_text(statement, index, "", 0, InsertValues.transient)
            }
            return sqlite3_bind_text(statement, index, bytes, CInt(utf8.count), InsertValues.transient)
        }
    }
}

extension Int: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt { sqlite3_bind_int64(statement, index, Int64(self)) }
}

extension Int64: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt { sqlite3_bind_int64(statement, index, self) }
}

extension Double: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt { sqlite3_bind_double(statement, index, self) }
}

extension Bool: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt {
        sqlite3_bind_int64(statement, index, self ? 1 : 0)
    }
}

extension Optional: InsertValue where Wrapped: InsertValue {
    func bind(to statement: OpaquePointer, at index: CInt) -> CInt {
        self?.bind(to: statement, at: index) ?? sqlite3_bind_null(statement, index)
    }
}

private enum InsertValues {
    /// SQLite copies the text before the bind returns (`SQLITE_TRANSIENT`, not imported in Swift).
    static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
