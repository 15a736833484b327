import Foundation
import Synchronization

/// A cancellation flag that synchronous code (libcurl callbacks, a parse running inside a database
/// transaction) can poll, set from a task's cancellation handler.
public final class CancellationFlag: Sendable {
    private let cancelled = Mutex(false)

    public init() {}

    public var isSet: Bool { cancelled.withLock { $0 } }

    public func set() { cancelled.withLock { $0 = true } }
}

extension CancellationFlag {
    /// Runs blocking `work` (a libcurl transfer) on a thread of its own named `thread`, so that a
    /// slow or silent server holds no task of the pool, and resumes the caller when it ends; the
    /// flag `work` polls is set as soon as the calling task is cancelled.
    static func offPool<T: Sendable>(
        thread name: String, _ work: @escaping @Sendable (CancellationFlag) -> T
    ) async -> T {
        let flag = CancellationFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: work(flag)) }
                thread.name = name
                thread.start()
            }
        } onCancel: {
            flag.set()
        }
    }
}
