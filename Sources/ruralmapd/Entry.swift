import Service

/// The process's entry: the allocator's policy first, for every command, then the command line.
@main
enum Entry {
    static func main() async {
        HeapPolicy.returnLargeBlocks()
        await Ruralmapd.main()
    }
}
