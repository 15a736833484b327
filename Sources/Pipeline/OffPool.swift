import Foundation

/// Runs blocking work (a whole file's parse and load) on a thread of its own, never on Swift's
/// cooperative pool, and resumes the caller when it ends.
enum OffPool {
    static func run<T: Sendable>(_ name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = name
            thread.start()
        }
    }
}
