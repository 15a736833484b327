import Hummingbird
import Synchronization

/// Recent answers kept whole, as they were sent (gzip-compressed or not), keyed by their ETag:
/// a commune card, a département's candidate page or the whole-France map asked again, by the
/// map page of another user or a script, is written from memory without a read or an encoding.
///
/// The ETag carries the store's data version, so a kept answer is never stale; when the version
/// moves, every kept answer goes at once. Bounded in bytes: an answer larger than
/// ``entryLimit`` streams without being kept, and when the budget is spent the cache starts
/// again empty (simpler than an LRU list, and the answers asked often come back at their next
/// request).
final class ResponseCache: Sendable {
    /// An answer as a client asked for it: the same tag is sent compressed or not.
    struct Key: Hashable, Sendable {
        var tag: String
        var gzip: Bool
    }

    /// A kept answer: its headers and its whole body.
    struct Entry: Sendable {
        var headers: HTTPFields
        var body: ByteBuffer
    }

    private struct State {
        var version = ""
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    /// Every kept body together stays under this many bytes.
    let budget: Int
    /// A body larger than this is not kept.
    let entryLimit: Int
    private let state = Mutex(State())

    init(budget: Int = 32 << 20, entryLimit: Int = 2 << 20) {
        self.budget = budget
        self.entryLimit = entryLimit
    }

    /// The answer kept for `key`, if any, at data `version`, the store's current one: a version
    /// not seen before forgets every answer kept.
    func entry(for key: Key, version: String) -> Entry? {
        state.withLock { state in
            if state.version != version { state = State(version: version) }
            return state.entries[key]
        }
    }

    /// Keeps `entry` for `key`, made at data `version`; dropped when the version moved meanwhile
    /// (a map computed before a write, finished after it, must not forget the newer answers).
    func keep(_ entry: Entry, for key: Key, version: String) {
        let size = entry.body.readableBytes
        guard size <= entryLimit else { return }
        state.withLock { state in
            guard state.version == version else { return }
            let replaced = state.entries[key]?.body.readableBytes ?? 0
            if state.bytes - replaced + size > budget { state = State(version: version) }
            state.bytes += size - (state.entries.updateValue(entry, forKey: key)?.body.readableBytes ?? 0)
        }
    }

    /// `body`, written through as before, and kept whole once finished when it fits.
    func keeping(_ body: ResponseBody, headers: HTTPFields, for key: Key, version: String) -> ResponseBody {
        ResponseBody(contentLength: body.contentLength) { writer in
            try await body.write(
                CapturingWriter(parent: writer, captured: ByteBuffer(), limit: self.entryLimit) { captured in
                    self.keep(Entry(headers: headers, body: captured), for: key, version: version)
                })
        }
    }
}

/// Passes each buffer through and copies it aside while the whole stays under `limit`.
private struct CapturingWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    /// What was written so far; nil once it outgrew `limit`.
    var captured: ByteBuffer?
    let limit: Int
    let finished: @Sendable (ByteBuffer) -> Void

    mutating func write(_ buffer: ByteBuffer) async throws {
        if let size = captured?.readableBytes {
            if size + buffer.readableBytes <= limit {
                captured?.writeImmutableBuffer(buffer)
            } else {
                captured = nil
            }
        }
        try await parent.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await parent.finish(trailingHeaders)
        // Only a body written to its end is kept: a client gone mid-answer leaves nothing behind.
        // Copied to its exact size: the buffer grew by doubling, up to twice what it holds.
        if let captured { finished(ByteBuffer(bytes: captured.readableBytesView)) }
    }
}
