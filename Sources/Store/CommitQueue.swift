import Dispatch
import GRDB
import Synchronization

/// Write transactions run one after the other on a thread of their own, while the caller goes on:
/// a load parses its next rows on one core while SQLite writes the previous batch on the other.
///
/// At most two transactions are queued or running at a time (the caller blocks on a third: memory
/// stays bounded); each is followed by ``Store/pauseForOtherWriters()``.
/// The first failure is kept and every later transaction skipped: ``drain()`` throws it.
final class CommitQueue: Sendable {
    private let writer: any DatabaseWriter
    private let queue = DispatchQueue(label: "ruralmap.store.commits")
    private let slots = DispatchSemaphore(value: 2)
    private let failure = Mutex<(any Error)?>(nil)

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Queues `body` as one write transaction; throws the error of an earlier one, if any.
    func submit(_ body: @escaping @Sendable (Database) throws -> Void) throws {
        try rethrow()
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard failure.withLock({ $0 == nil }) else { return }
            do {
                try writer.write(body)
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
            Store.pauseForOtherWriters()
        }
    }

    /// Waits for every transaction queued so far.
    /// - Throws: the first error of one of them.
    func drain() throws {
        queue.sync {}
        try rethrow()
    }

    private func rethrow() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
