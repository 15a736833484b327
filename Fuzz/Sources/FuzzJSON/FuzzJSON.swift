import Formats

/// libFuzzer entry point: the streaming JSON reader, as contours and Overpass answers use it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? JSONStreamReader(source: MemoryByteSource(bytes), maxDepth: 32, maxValuesPerElement: 10_000)
        .forEachElement(ofArray: "features") { _ in }
    _ = try? JSONStreamReader(source: MemoryByteSource(bytes), maxDepth: 32, maxValuesPerElement: 10_000).readDocument()
    return 0
}

// SwiftPM links an executable's entry point as `FuzzJSON_main`: hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzJSON_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzJSON(data, size) }
}
