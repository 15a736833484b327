import Formats
import FuzzSupport

/// libFuzzer entry point: the streaming JSON reader, as contours and Overpass answers use it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? JSONStreamReader(source: MemoryByteSource(bytes), maxDepth: 32, maxValuesPerElement: 10_000)
        .forEachElement(ofArray: "features") { _ in }
    _ = try? JSONStreamReader(source: MemoryByteSource(bytes), maxDepth: 32, maxValuesPerElement: 10_000).readDocument()
    return 0
}

@_cdecl("FuzzJSON_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzJSON(data, size) }
}
