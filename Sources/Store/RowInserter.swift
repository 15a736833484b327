import GRDB
import GRDBSQLite

/// An insert statement bound and stepped through SQLite's C API, for the hundreds of thousands of
/// rows an analysis saves: building GRDB's `StatementArguments` for each row cost twice what
/// SQLite spends inserting it. Values are bound by position (1-based, as in the SQL).
struct RowInserter {
    let statement: Statement
    let db: Database

    private var handle: OpaquePointer { statement.sqliteStatement }
    /// `SQLITE_TRANSIENT` (not imported into Swift): SQLite copies the text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ value: String?, at index: Int32) {
        if let value {
            sqlite3_bind_text(handle, index, value, -1, Self.transient)
        } else {
            sqlite3_bind_null(handle, index)
        }
    }

    func bind<Value: RawRepresentable<String>>(_ value: Value?, at index: Int32) {
        bind(value?.rawValue, at: index)
    }

    func bind(_ value: Int?, at index: Int32) {
        if let value { sqlite3_bind_int64(handle, index, Int64(value)) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ value: Int64, at index: Int32) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ value: Double?, at index: Int32) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    /// Inserts the row bound so far; the bindings stay for the next row to overwrite.
    /// - Throws: `DatabaseError` with SQLite's message (a constraint, a full disk).
    func insert() throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: statement.sql)
        }
    }
}
