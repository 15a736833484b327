import GRDB
import GRDBSQLite

/// An insert statement (without `RETURNING`) bound and stepped through SQLite's C API, for the
/// hundreds of thousands of rows an analysis saves or a load writes: building GRDB's
/// `StatementArguments` for each row cost twice what SQLite spends inserting it. Values bind
/// through ``InsertValue``; pass domain values as their `rawValue`.
final class RowInserter {
    private let statement: Statement
    private let texts = BoundTexts()

    /// Wraps a statement of its own (not a cached one: GRDB's bookkeeping of its arguments does
    /// not see these binds).
    init(_ statement: Statement) {
        self.statement = statement
    }

    /// Unbinds the last row: its texts were bound where they lay (``BoundTexts``, ``BufferText``),
    /// and nothing should read them once they are gone.
    deinit { sqlite3_clear_bindings(handle) }

    private var handle: OpaquePointer { statement.sqliteStatement }

    /// Inserts one row: `values` bound to the statement's parameters in order.
    /// - Throws: `DatabaseError` with SQLite's message (a bind refused, a constraint, a full
    ///   disk); `CancellationError` when the task was cancelled (GRDB interrupts its database).
    func insert<each Value: InsertValue>(_ values: repeat each Value) throws {
        // A parameter pack, not `any InsertValue...`: no array of boxed values per row (their
        // allocations were a tenth of a load's commit thread). Each value is passed to `bind`, not
        // iterated (`for value in repeat each values`): the loop copied each value through its
        // type's generic witnesses, retaining and releasing strings.
        var index: CInt = 0
        func bind(_ value: some InsertValue) throws {
            index += 1
            let code = value.bind(to: handle, at: index, texts: texts)
            guard code == SQLITE_OK else { throw error(code) }
        }
        repeat try bind(each values)
        // Checked once bound: a value too many has been refused by SQLite (`SQLITE_RANGE`).
        precondition(index == sqlite3_bind_parameter_count(handle), "one value per parameter of \(statement.sql)")
        let code = sqlite3_step(handle)
        let failure = code == SQLITE_DONE ? nil : error(code)  // the message, before the reset
        sqlite3_reset(handle)
        texts.clear()
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
