import Foundation
import Logging
import Synchronization

/// Shows how a long job advances: a redrawn bar on a terminal, a log line every 15 s otherwise
/// (under systemd, where a bar would flood the journal).
public final class ProgressReporter: Sendable {
    private struct State {
        var lastDraw: Double = 0
        var drawn = false
        var bytes: Int64 = 0
    }

    /// What is counted.
    public enum Unit: Sendable { case bytes, rows }

    private let label: String
    private let unit: Unit
    private let logger: Logger
    private let terminal: Bool
    private let started = Date().timeIntervalSince1970
    private let state = Mutex(State())

    public init(label: String, logger: Logger, unit: Unit = .bytes, terminal: Bool = isatty(2) == 1) {
        self.label = label
        self.unit = unit
        self.logger = logger
        self.terminal = terminal
    }

    /// Records progress: `bytes` done out of `total` (0 when unknown).
    public func update(bytes: Int64, total: Int64) {
        let now = Date().timeIntervalSince1970
        let line: String? = state.withLock { s in
            s.bytes = bytes
            let interval = terminal ? 0.2 : 15
            guard now - s.lastDraw >= interval, bytes > 0 else { return nil }
            s.lastDraw = now
            s.drawn = true
            return render(bytes: bytes, total: total, elapsed: now - started)
        }
        guard let line else { return }
        if terminal { writeStderr("\r\u{1B}[K" + line) } else { logger.info("\(line)") }
    }

    /// Ends the bar line on a terminal.
    public func finish() {
        let drawn = state.withLock { $0.drawn }
        if terminal && drawn { writeStderr("\n") }
    }

    private func render(bytes: Int64, total: Int64, elapsed: Double) -> String {
        if unit == .rows {
            return String(format: "%@ %lld rows (%.0f rows/s)", label, bytes, elapsed > 0 ? Double(bytes) / elapsed : 0)
        }
        let mb = Double(bytes) / 1_048_576
        let rate = elapsed > 0 ? mb / elapsed : 0
        guard total > 0 else { return String(format: "%@ %.1f MB (%.1f MB/s)", label, mb, rate) }
        let fraction = min(1, Double(bytes) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return String(
            format: "%@ [%@] %3.0f%% %.1f/%.1f MB (%.1f MB/s)", label, bar, fraction * 100, mb,
            Double(total) / 1_048_576, rate)
    }
}

/// Writes to file descriptor 2 (Glibc's `stderr` global is not concurrency-safe in Swift 6).
public func writeStderr(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
        if n <= 0 { return }
        offset += n
    }
}
