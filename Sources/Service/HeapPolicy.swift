import CMalloc

/// The allocator's policy for this process's memory.
public enum HeapPolicy {
    /// Maps every block of 128 KB or more on its own, so that it goes back to the system when
    /// freed. By default glibc raises that threshold after each large free, up to 32 MB: an
    /// analysis's inputs, once freed, then stayed in the heap under its results, and its peak
    /// resident memory was the sum of its phases (207 → 155 MB for a national analysis, measured
    /// before its results were made smaller). Maps and ingests measured no slower.
    public static func returnLargeBlocks() {
        _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    }
}
