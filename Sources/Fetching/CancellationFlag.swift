import Synchronization

/// A cancellation flag that synchronous code (libcurl callbacks, a parse running inside a database
/// transaction) can poll, set from a task's cancellation handler.
public final class CancellationFlag: Sendable {
    private let cancelled = Mutex(false)

    public init() {}

    public var isSet: Bool { cancelled.withLock { $0 } }

    public func set() { cancelled.withLock { $0 = true } }
}
