/// The texts bound to the row a ``RowInserter`` is inserting, copied into a buffer of the
/// inserter's own and bound as `SQLITE_STATIC`. With `SQLITE_TRANSIENT`, SQLite copies each text
/// into memory it allocates at the bind and frees at the next: Debian's SQLite has no lookaside
/// memory, so each is a `malloc` and a `free`, each under SQLite's memory mutex (nine texts per
/// site of a national BPE load).
///
/// A copy stays in place until ``clear()``: SQLite reads it until the row is stepped, and every
/// parameter is bound again before the next step.
final class BoundTexts {
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private var used = 0

    /// A buffer of `capacity` bytes: texts that no longer fit are left to SQLite to copy.
    init(capacity: Int = 1 << 16) {
        bytes = .allocate(capacity: capacity)
    }

    deinit { bytes.deallocate() }

    /// A copy of `text` that stays in place until ``clear()``, or `nil` when it does not fit.
    func keep(_ text: UnsafeBufferPointer<UInt8>) -> UnsafePointer<UInt8>? {
        guard text.count <= bytes.count - used, let base = bytes.baseAddress else { return nil }
        let start = base + used
        if let source = text.baseAddress { start.update(from: source, count: text.count) }
        used += text.count
        return UnsafePointer(start)
    }

    /// Makes the whole buffer free again: call it once the row is stepped.
    func clear() { used = 0 }
}
